"""Who may do what in the admin: every role x every entry view x every kind of entry.

Each table below is the specification; a refused write must leave the row exactly as it
was. Objects: A's draft, A's published entry, B's draft, B's published entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse
from django.utils import timezone

from catalog.members import create_curator, give_member_access
from catalog.models import PUBLIC_STATUSES, Artifact, ArtifactStatus, Membership, MembershipRole
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db

# -- the people and entries: two organizations, four entries ------------------------------

ROLES = (
    "anonymous",
    "outsider",  # staff with the members' model permissions but no membership
    "viewer_a",
    "editor_a",
    "admin_a",
    "editor_b",
    "curator",
    "superuser",
)
OBJECTS = ("a_draft", "a_published", "b_draft", "b_published")


@dataclass
class World:
    users: dict[str, User | AnonymousUser] = field(default_factory=dict)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    organizations: dict = field(default_factory=dict)

    def row(self, name: str) -> dict:
        """Everything stored about an entry, to compare before and after a refused write."""
        artifact = Artifact.objects.get(pk=self.artifacts[name].pk)
        values = Artifact.objects.filter(pk=artifact.pk).values().get()
        values["contributions"] = sorted(
            artifact.contributions.values_list("organization_id", "role")
        )
        values["licenses"] = sorted(artifact.licenses.values_list("key", flat=True))
        values["relations"] = sorted(artifact.relations.values_list("relation_type", "target_id"))
        return values


def member(username: str, organization, role: str | None) -> User:
    user = User.objects.create(username=username)
    user.set_unusable_password()
    user.save()
    if role is not None:
        Membership.objects.create(user=user, organization=organization, role=role)
    give_member_access(user)
    return user


def build_world() -> World:
    world = World()
    org_a = make_organization("org-a", name="Org A")
    org_b = make_organization("org-b", name="Org B")
    world.organizations = {"a": org_a, "b": org_b}
    for name, lead, status in (
        ("a_draft", org_a, ArtifactStatus.DRAFT),
        ("a_published", org_a, ArtifactStatus.PUBLISHED),
        ("b_draft", org_b, ArtifactStatus.DRAFT),
        ("b_published", org_b, ArtifactStatus.PUBLISHED),
    ):
        world.artifacts[name] = make_artifact(
            name.replace("_", "-"), lead=lead, status=status, license="Apache-2.0"
        )
    world.users = {
        "anonymous": AnonymousUser(),
        "outsider": member("outsider", None, None),
        "viewer_a": member("viewer-a", org_a, MembershipRole.VIEWER),
        "editor_a": member("editor-a", org_a, MembershipRole.EDITOR),
        "admin_a": member("admin-a", org_a, MembershipRole.ADMIN),
        "editor_b": member("editor-b", org_b, MembershipRole.EDITOR),
        "curator": create_curator("curator", password=None),
        "superuser": User.objects.create_superuser("root", password=None),
    }
    return world


# Outcomes: "ok" the request succeeds; "read" the page shows the entry read-only;
# "404" as for an id that does not exist; "403" refused; "login" sent to the login page.
LOGIN, OK, READ, NOT_FOUND, FORBIDDEN = "login", "ok", "read", "404", "403"
MINE_A = {"a_draft": OK, "a_published": OK, "b_draft": NOT_FOUND, "b_published": NOT_FOUND}
MINE_B = {"a_draft": NOT_FOUND, "a_published": NOT_FOUND, "b_draft": OK, "b_published": OK}
ALL = dict.fromkeys(OBJECTS, OK)
NONE = dict.fromkeys(OBJECTS, NOT_FOUND)
ANON = dict.fromkeys(OBJECTS, LOGIN)

# GET of the change page and of the history page.
READ_TABLE = {
    "anonymous": ANON,
    "outsider": NONE,
    "viewer_a": {**MINE_A, "a_draft": READ, "a_published": READ},
    "editor_a": MINE_A,
    "admin_a": MINE_A,
    "editor_b": MINE_B,
    "curator": ALL,
    "superuser": ALL,
}
# POST of the change form (an edit of the summary).
CHANGE_TABLE = {
    **READ_TABLE,
    "viewer_a": {**MINE_A, "a_draft": FORBIDDEN, "a_published": FORBIDDEN},
}
# POST of the delete confirmation: members delete only drafts; the public's entries are
# withdrawn instead.
DELETE_TABLE = {
    **CHANGE_TABLE,
    "editor_a": {**MINE_A, "a_published": FORBIDDEN},
    "admin_a": {**MINE_A, "a_published": FORBIDDEN},
    "editor_b": {**MINE_B, "b_published": FORBIDDEN},
}
# POST of a revert to the first version: curators only.
REVERT_TABLE = {
    **CHANGE_TABLE,
    "editor_a": {**MINE_A, "a_draft": FORBIDDEN, "a_published": FORBIDDEN},
    "admin_a": {**MINE_A, "a_draft": FORBIDDEN, "a_published": FORBIDDEN},
    "editor_b": {**MINE_B, "b_draft": FORBIDDEN, "b_published": FORBIDDEN},
}

CELLS = [(role, name) for role in ROLES for name in OBJECTS]


@pytest.fixture
def world():
    return build_world()


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])


def url(view: str, artifact: Artifact, *args) -> str:
    return reverse(f"admin:catalog_modelentry_{view}", args=[artifact.pk, *args])


def outcome(response, *, saved: bool | None = None) -> str:
    if response.status_code == 302 and "/login/" in response["Location"]:
        return LOGIN
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code == 200 and saved is None:
        content = response.content.decode()
        return READ if 'name="summary"' not in content and "_save" not in content else OK
    return OK if saved or (saved is None and response.status_code in (200, 302)) else "not saved"


@pytest.mark.parametrize(("role", "name"), CELLS)
def test_change_page(client, world, role, name):
    login(client, world, role)
    response = client.get(url("change", world.artifacts[name]))
    assert outcome(response) == READ_TABLE[role][name]


@pytest.mark.parametrize(("role", "name"), CELLS)
def test_history_page(client, world, role, name):
    login(client, world, role)
    response = client.get(url("history", world.artifacts[name]))
    expected = READ_TABLE[role][name]
    assert outcome(response, saved=True if response.status_code == 200 else None) == (
        OK if expected == READ else expected
    )


def change_data(world, artifact, summary):
    lead = world.organizations["a" if artifact.namespace == "org-a" else "b"]
    data = {
        "lead_organization": lead.pk,
        "name": artifact.name,
        "summary": summary,
        "license_expression": "Apache-2.0",
        "unverified": "{}",
        "formats": "[]",
        "programming_languages": "[]",
    }
    for prefix in ("contributions", "sources", "variants", "openness_components", "relations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


@pytest.mark.parametrize(("role", "name"), CELLS)
def test_change_post(client, world, role, name):
    login(client, world, role)
    artifact = world.artifacts[name]
    before = world.row(name)
    response = client.post(url("change", artifact), change_data(world, artifact, "Changed."))
    saved = Artifact.objects.get(pk=artifact.pk).summary == "Changed."
    expected = CHANGE_TABLE[role][name]
    assert outcome(response, saved=saved) == expected, response.content[:2000]
    if expected != OK:
        assert world.row(name) == before


@pytest.mark.parametrize(("role", "name"), CELLS)
def test_delete(client, world, role, name):
    login(client, world, role)
    artifact = world.artifacts[name]
    before = world.row(name)
    response = client.post(url("delete", artifact), {"post": "yes"})
    deleted = not Artifact.objects.filter(pk=artifact.pk).exists()
    expected = DELETE_TABLE[role][name]
    assert outcome(response, saved=deleted) == expected
    if expected != OK:
        assert world.row(name) == before


@pytest.mark.parametrize(("role", "name"), CELLS)
def test_revert(client, world, role, name):
    artifact = world.artifacts[name]
    first = artifact.history.earliest("history_date")
    Artifact.objects.filter(pk=artifact.pk).update(summary="A later summary.")
    login(client, world, role)
    before = world.row(name)
    data = change_data(world, artifact, first.summary)
    response = client.post(url("simple_history", artifact, first.history_id), data)
    reverted = Artifact.objects.get(pk=artifact.pk).summary == first.summary
    expected = REVERT_TABLE[role][name]
    assert outcome(response, saved=reverted) == expected
    if expected != OK:
        assert world.row(name) == before


# -- the changelist and autocomplete: which entries each role is shown --------------------

LISTED = {
    "outsider": set(),
    "viewer_a": {"a_draft", "a_published"},
    "editor_a": {"a_draft", "a_published"},
    "admin_a": {"a_draft", "a_published"},
    "editor_b": {"b_draft", "b_published"},
    "curator": set(OBJECTS),
    "superuser": set(OBJECTS),
}
# Lineage targets: any member's published entries, and the drafts of one's own.
TARGETS = {
    "outsider": {"a_published", "b_published"},
    "viewer_a": {"a_draft", "a_published", "b_published"},
    "editor_a": {"a_draft", "a_published", "b_published"},
    "admin_a": {"a_draft", "a_published", "b_published"},
    "editor_b": {"a_published", "b_draft", "b_published"},
    "curator": set(OBJECTS),
    "superuser": set(OBJECTS),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("section", ["artifact", "modelentry"])
def test_changelist(client, world, role, section):
    login(client, world, role)
    response = client.get(reverse(f"admin:catalog_{section}_changelist"))
    if role == "anonymous":
        assert outcome(response) == LOGIN
        return
    assert response.status_code == 200
    shown = {
        name for name in OBJECTS if world.artifacts[name] in response.context["cl"].result_list
    }
    assert shown == LISTED[role]
    assert response.context["cl"].full_result_count == len(LISTED[role])
    content = response.content.decode()
    for name in set(OBJECTS) - LISTED[role]:
        assert world.artifacts[name].slug not in content  # not even in a filter or count


@pytest.mark.parametrize("role", ROLES)
def test_lineage_autocomplete(client, world, role):
    login(client, world, role)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "relation", "field_name": "target", "term": ""},
    )
    if role == "anonymous":
        assert outcome(response) == LOGIN
        return
    assert response.status_code == 200
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {world.artifacts[name].pk for name in TARGETS[role]}


LEADS = {
    "outsider": set(),
    "viewer_a": set(),
    "editor_a": {"a"},
    "admin_a": {"a"},
    "editor_b": {"b"},
    "curator": {"a", "b"},
    "superuser": {"a", "b"},
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_lead_organization_autocomplete(client, world, role):
    login(client, world, role)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalog", "model_name": "artifact", "field_name": "organizations"},
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert ids == {world.organizations[key].pk for key in LEADS[role]}


# -- add: a member registers entries only with their own organization as lead -------------

ADD = {
    "anonymous": {"a": LOGIN, "b": LOGIN},
    "outsider": {"a": FORBIDDEN, "b": FORBIDDEN},
    "viewer_a": {"a": FORBIDDEN, "b": FORBIDDEN},
    "editor_a": {"a": OK, "b": "not saved"},
    "admin_a": {"a": OK, "b": "not saved"},
    "editor_b": {"a": "not saved", "b": OK},
    "curator": {"a": OK, "b": OK},
    "superuser": {"a": OK, "b": OK},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("lead", ["a", "b"])
def test_add(client, world, role, lead):
    login(client, world, role)
    count = Artifact.objects.count()
    data = change_data(world, world.artifacts[f"{lead}_draft"], "A new model.")
    data.update({"slug": "new-model", "name": "New model"})
    response = client.post(reverse("admin:catalog_modelentry_add"), data)
    created = Artifact.objects.filter(slug="new-model").first()
    assert outcome(response, saved=created is not None) == ADD[role][lead]
    if created is None:
        assert Artifact.objects.count() == count
    else:
        assert created.repo_id == f"org-{lead}/new-model"
        assert created.status == ArtifactStatus.DRAFT
        assert created.lead_organization == world.organizations[lead]
        assert list(created.licenses.values_list("key", flat=True)) == ["Apache-2.0"]


# -- actions and buttons: one per transition ----------------------------------------------

# The status each kind of object is put in first, so that the transition applies to it.
PREPARE = {
    "submit": {"draft": ArtifactStatus.DRAFT, "published": ArtifactStatus.PUBLISHED},
    "publish": {"draft": ArtifactStatus.IN_REVIEW, "published": ArtifactStatus.IN_REVIEW},
    "send_back": {"draft": ArtifactStatus.IN_REVIEW, "published": ArtifactStatus.IN_REVIEW},
    "deprecate": {"draft": ArtifactStatus.PUBLISHED, "published": ArtifactStatus.PUBLISHED},
    "withdraw": {"draft": ArtifactStatus.PUBLISHED, "published": ArtifactStatus.PUBLISHED},
    "restore": {"draft": ArtifactStatus.WITHDRAWN, "published": ArtifactStatus.DEPRECATED},
}
TARGET = {
    "submit": ArtifactStatus.IN_REVIEW,
    "publish": ArtifactStatus.PUBLISHED,
    "send_back": ArtifactStatus.DRAFT,
    "deprecate": ArtifactStatus.DEPRECATED,
    "withdraw": ArtifactStatus.WITHDRAWN,
    "restore": ArtifactStatus.PUBLISHED,
}
A_EDITORS = {"editor_a", "admin_a", "curator", "superuser"}
B_EDITORS = {"editor_b", "curator", "superuser"}
CURATORS = {"curator", "superuser"}
# Who may take each transition on A's and on B's entries (in the prepared status).
MAY = {
    "submit": {"a": A_EDITORS, "b": B_EDITORS},
    "publish": {"a": CURATORS, "b": CURATORS},
    "send_back": {"a": CURATORS, "b": CURATORS},
    "deprecate": {"a": {"admin_a", *CURATORS}, "b": CURATORS},
    "withdraw": {"a": {"admin_a", *CURATORS}, "b": CURATORS},
    "restore": {"a": CURATORS, "b": CURATORS},
}
# A published entry is never submitted: the transition does not apply, whoever asks.
DOES_NOT_APPLY = {("submit", "published")}
ACTION_CELLS = [(t, role, name) for t in PREPARE for role in ROLES for name in OBJECTS]


def prepare(world, transition, name):
    status = PREPARE[transition][name.split("_")[1]]
    reason = "Withdrawn by its makers." if status == ArtifactStatus.WITHDRAWN else ""
    published_at = timezone.now() if status in PUBLIC_STATUSES else None
    Artifact.objects.filter(pk=world.artifacts[name].pk).update(
        status=status, withdrawn_reason=reason, published_at=published_at
    )


@pytest.mark.parametrize(("transition", "role", "name"), ACTION_CELLS)
def test_action(client, world, transition, role, name):
    prepare(world, transition, name)
    login(client, world, role)
    before = world.row(name)
    artifact = world.artifacts[name]
    client.post(
        reverse("admin:catalog_modelentry_changelist"),
        {
            "action": f"transition_{transition}",
            "_selected_action": [artifact.pk],
            "note": "A note.",
            "apply": "yes",
        },
    )
    status = Artifact.objects.get(pk=artifact.pk).status
    if role in MAY[transition][name[0]] and (transition, name[2:]) not in DOES_NOT_APPLY:
        assert status == TARGET[transition]
    else:
        assert world.row(name) == before


@pytest.mark.parametrize(("transition", "role", "name"), ACTION_CELLS)
def test_button(client, world, transition, role, name):
    prepare(world, transition, name)
    login(client, world, role)
    before = world.row(name)
    artifact = world.artifacts[name]
    response = client.post(url("transition", artifact, transition), {"note": "A note."})
    if role in MAY[transition][name[0]]:
        assert response.status_code == 302  # back to the entry, with a message
        if (transition, name[2:]) in DOES_NOT_APPLY:
            assert world.row(name) == before
        else:
            assert Artifact.objects.get(pk=artifact.pk).status == TARGET[transition]
        return
    visible = role not in {"anonymous", "outsider"} and name[0] == role[-1]
    if role in CURATORS:
        visible = True
    expected = LOGIN if role == "anonymous" else (FORBIDDEN if visible else NOT_FOUND)
    assert outcome(response) == expected
    assert world.row(name) == before
