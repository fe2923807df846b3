"""The review workflow: who may take which transition from which status, and what it records."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from catalog.members import create_curator, give_member_access
from catalog.models import Artifact, ArtifactStatus, Membership, MembershipRole
from catalog.workflow import (
    DEPRECATE,
    PUBLISH,
    RESTORE,
    SEND_BACK,
    SUBMIT,
    TRANSITIONS,
    WITHDRAW,
    TransitionRefused,
    available_transitions,
)
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db

S = ArtifactStatus
AT = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)


def make_member(organization, role) -> User:
    """A member's staff account; no password, since tests log in with force_login."""
    user = User.objects.create(username=f"{organization.slug}-{role}-{User.objects.count()}")
    Membership.objects.create(user=user, organization=organization, role=role)
    give_member_access(user)
    return user


@pytest.fixture
def people():
    lead = make_organization("lead-org")
    other = make_organization("other-org")
    return {
        "lead": lead,
        "anonymous": AnonymousUser(),
        "viewer": make_member(lead, MembershipRole.VIEWER),
        "editor": make_member(lead, MembershipRole.EDITOR),
        "admin": make_member(lead, MembershipRole.ADMIN),
        "stranger": make_member(other, MembershipRole.ADMIN),
        "curator": create_curator("the-curator", password=None),
    }


# transition, from status, who may take it
WHO_MAY = [
    (SUBMIT, S.DRAFT, {"editor", "admin", "curator"}),
    (PUBLISH, S.IN_REVIEW, {"curator"}),
    (SEND_BACK, S.IN_REVIEW, {"curator"}),
    (DEPRECATE, S.PUBLISHED, {"admin", "curator"}),
    (WITHDRAW, S.PUBLISHED, {"admin", "curator"}),
    (WITHDRAW, S.DEPRECATED, {"admin", "curator"}),
    (RESTORE, S.WITHDRAWN, {"curator"}),
    (RESTORE, S.DEPRECATED, {"curator"}),
]
ACTORS = ("anonymous", "viewer", "editor", "admin", "stranger", "curator")


@pytest.mark.parametrize(("transition", "source", "allowed"), WHO_MAY)
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_take_each_transition(people, transition, source, allowed, actor):
    artifact = make_artifact(lead=people["lead"], status=source)
    user = people[actor]
    if actor in allowed:
        transition.execute(artifact, user=user, at=AT, note="Because.")
        assert Artifact.objects.get(pk=artifact.pk).status == transition.target
    else:
        before = Artifact.objects.filter(pk=artifact.pk).values().get()
        with pytest.raises(TransitionRefused, match="Only"):
            transition.execute(artifact, user=user, at=AT, note="Because.")
        assert Artifact.objects.filter(pk=artifact.pk).values().get() == before


# Every transition from every status it does not start from is refused, even for a curator.
WRONG_STATUS = [
    (transition, status)
    for transition in TRANSITIONS.values()
    for status in S.values
    if status not in transition.sources
]


@pytest.mark.parametrize(("transition", "status"), WRONG_STATUS)
def test_a_transition_only_starts_from_its_statuses(people, transition, status):
    artifact = make_artifact(lead=people["lead"], status=status)
    with pytest.raises(TransitionRefused, match=r"only an entry that is .* can be"):
        transition.execute(artifact, user=people["curator"], at=AT, note="Because.")
    assert Artifact.objects.get(pk=artifact.pk).status == status


@pytest.mark.parametrize(
    ("transition", "source", "message"),
    [
        (SEND_BACK, S.IN_REVIEW, "Give a note for the editors"),
        (WITHDRAW, S.PUBLISHED, "Give a public reason"),
    ],
)
def test_notes_are_required_where_someone_reads_them(people, transition, source, message):
    artifact = make_artifact(lead=people["lead"], status=source)
    with pytest.raises(TransitionRefused, match=message):
        transition.execute(artifact, user=people["curator"], at=AT, note="  ")
    assert Artifact.objects.get(pk=artifact.pk).status == source


def test_a_full_round_records_who_when_and_why(people):
    artifact = make_artifact(lead=people["lead"], status=S.DRAFT)
    editor, curator = people["editor"], people["curator"]
    steps = [
        (SUBMIT, editor, ""),
        (SEND_BACK, curator, "Add the paper."),
        (SUBMIT, editor, ""),
        (PUBLISH, curator, ""),
        (WITHDRAW, curator, "Superseded by v2."),
    ]
    for minutes, (transition, user, note) in enumerate(steps):
        transition.execute(
            artifact, user=user, at=AT + datetime.timedelta(minutes=minutes), note=note
        )
    records = list(artifact.history.order_by("history_id"))[-len(steps) :]
    assert [(r.status, r.history_user, r.history_change_reason) for r in records] == [
        (S.IN_REVIEW, editor, "Submit for review"),
        (S.DRAFT, curator, "Send back: Add the paper."),
        (S.IN_REVIEW, editor, "Submit for review"),
        (S.PUBLISHED, curator, "Publish"),
        (S.WITHDRAWN, curator, "Withdraw: Superseded by v2."),
    ]
    assert [r.history_date for r in records] == [
        AT + datetime.timedelta(minutes=m) for m in range(len(steps))
    ]
    artifact.refresh_from_db()
    assert artifact.published_at == AT + datetime.timedelta(minutes=3)
    assert artifact.withdrawn_reason == "Superseded by v2."


def test_the_editor_sees_the_note_until_resubmitting(people):
    artifact = make_artifact(lead=people["lead"], status=S.IN_REVIEW)
    SEND_BACK.execute(artifact, user=people["curator"], at=AT, note="Cite the paper.")
    assert Artifact.objects.get(pk=artifact.pk).review_note == "Cite the paper."
    SUBMIT.execute(artifact, user=people["editor"], at=AT)
    assert Artifact.objects.get(pk=artifact.pk).review_note == ""


def test_restoring_clears_the_reason_and_keeps_the_first_publication_date(people):
    artifact = make_artifact(lead=people["lead"], status=S.IN_REVIEW)
    PUBLISH.execute(artifact, user=people["curator"], at=AT)
    WITHDRAW.execute(artifact, user=people["admin"], at=AT, note="A licensing question.")
    RESTORE.execute(artifact, user=people["curator"], at=AT + datetime.timedelta(days=1))
    artifact.refresh_from_db()
    assert (artifact.status, artifact.withdrawn_reason, artifact.published_at) == (
        S.PUBLISHED,
        "",
        AT,
    )


def test_transitions_leave_the_content_date_alone_so_edits_stand_out(people):
    artifact = make_artifact(lead=people["lead"], status=S.IN_REVIEW)
    PUBLISH.execute(artifact, user=people["curator"], at=timezone.now())
    assert not Artifact.objects.changed_after_publishing().filter(pk=artifact.pk).exists()
    artifact.refresh_from_db()
    artifact.summary = "Edited after publication."
    artifact.save()
    changed = Artifact.objects.changed_after_publishing()
    assert list(changed.filter(pk=artifact.pk)) == [artifact]
    assert Artifact.objects.get(pk=artifact.pk).status == S.PUBLISHED  # still public


@pytest.mark.parametrize(
    ("actor", "status", "names"),
    [
        ("viewer", S.DRAFT, []),
        ("editor", S.DRAFT, ["submit"]),
        ("curator", S.IN_REVIEW, ["publish", "send_back"]),
        ("admin", S.PUBLISHED, ["deprecate", "withdraw"]),
        ("curator", S.WITHDRAWN, ["restore"]),
        ("stranger", S.PUBLISHED, []),
    ],
)
def test_the_buttons_offered(people, actor, status, names):
    artifact = make_artifact(lead=people["lead"], status=status)
    offered = available_transitions(artifact, people[actor])
    assert [t.name for t in offered] == names


# -- what each reader sees ----------------------------------------------------------------

SEEN = {
    # reader: statuses of the lead organization's entries they see
    "anonymous": {S.PUBLISHED, S.DEPRECATED},
    "stranger": {S.PUBLISHED, S.DEPRECATED},
    "viewer": set(S.values),
    "editor": set(S.values),
    "curator": set(S.values),
}


@pytest.mark.parametrize("reader", SEEN)
def test_visible_to_shows_the_public_only_published_entries(people, reader):
    by_status = {status: make_artifact(lead=people["lead"], status=status) for status in S.values}
    visible = set(Artifact.objects.visible_to(people[reader]))
    assert {s for s, a in by_status.items() if a in visible} == SEEN[reader]
    if reader in {"anonymous", "stranger"}:
        assert set(Artifact.objects.published()) == visible
        tombstones = set(Artifact.objects.with_tombstones())
        assert by_status[S.WITHDRAWN] in tombstones
        assert by_status[S.DRAFT] not in tombstones


def test_an_inactive_member_sees_only_the_public(people):
    draft = make_artifact(lead=people["lead"], status=S.DRAFT)
    editor: User = people["editor"]
    editor.is_active = False
    editor.save()
    assert draft not in Artifact.objects.visible_to(editor)
    assert not Artifact.objects.editable_by(editor).exists()
