"""Who may see, edit and manage what: the QuerySets every layer calls, asked directly."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from catalog.models import Artifact, Membership, MembershipRole, Relation
from catalog.models.roles import CURATORS_GROUP
from tests.factories import make_artifact, make_member, make_organization, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two organizations, each with an admin, an editor and a viewer, a draft and a
    published entry; and a curator."""
    ibm, meta = make_organization("ibm"), make_organization("meta")
    people = {
        f"{org.slug}-{role}": make_member(org, role, f"{org.slug}-{role}")
        for org in (ibm, meta)
        for role in MembershipRole.values
    }
    curator = make_user("curator", is_staff=True)
    curator.groups.add(Group.objects.get_or_create(name=CURATORS_GROUP)[0])
    people["curator"] = curator
    entries = {
        f"{org.slug}-{status}": make_artifact(f"{org.slug}-{status}", lead=org, status=status)
        for org in (ibm, meta)
        for status in ("draft", "published")
    }
    return people, entries


def ids(queryset) -> set[str]:
    return {artifact.slug for artifact in queryset}


def test_roles_say_what_they_may_do():
    assert [r.can_edit for r in MembershipRole] == [True, True, False]
    assert [r.can_manage for r in MembershipRole] == [True, False, False]
    assert MembershipRole.editing() == [MembershipRole.ADMIN, MembershipRole.EDITOR]
    assert MembershipRole.managing() == [MembershipRole.ADMIN]


@pytest.mark.parametrize(
    ("who", "visible", "editable", "managed"),
    [
        ("anonymous", {"ibm-published", "meta-published"}, set(), set()),
        ("ibm-viewer", {"ibm-published", "meta-published", "ibm-draft"}, set(), set()),
        (
            "ibm-editor",
            {"ibm-published", "meta-published", "ibm-draft"},
            {"ibm-published", "ibm-draft"},
            set(),
        ),
        (
            "ibm-admin",
            {"ibm-published", "meta-published", "ibm-draft"},
            {"ibm-published", "ibm-draft"},
            {"ibm-published", "ibm-draft"},
        ),
        ("curator", *[{"ibm-published", "meta-published", "ibm-draft", "meta-draft"}] * 3),
    ],
)
def test_what_each_role_sees_edits_and_manages(world, who, visible, editable, managed):
    people, _ = world
    user = AnonymousUser() if who == "anonymous" else people[who]
    assert ids(Artifact.objects.visible_to(user)) == visible
    assert ids(Artifact.objects.editable_by(user)) == editable
    assert ids(Artifact.objects.managed_by(user)) == managed


def test_an_inactive_member_sees_only_what_the_public_sees(world):
    people, _ = world
    admin = people["ibm-admin"]
    admin.is_active = False
    admin.save()
    assert ids(Artifact.objects.visible_to(admin)) == {"ibm-published", "meta-published"}
    assert not Artifact.objects.managed_by(admin).exists()
    assert not Membership.objects.managed_by(admin).exists()


def test_memberships_are_seen_by_members_and_managed_by_admins(world):
    people, _ = world

    def orgs(queryset):
        return {m.organization.slug for m in queryset}

    assert orgs(Membership.objects.visible_to(people["ibm-viewer"])) == {"ibm"}
    assert not Membership.objects.managed_by(people["ibm-editor"]).exists()
    assert orgs(Membership.objects.managed_by(people["ibm-admin"])) == {"ibm"}
    assert Membership.objects.managed_by(people["curator"]).count() == Membership.objects.count()
    assert not Membership.objects.visible_to(AnonymousUser()).exists()


def test_an_edge_shows_only_when_both_its_ends_may_be_seen(world):
    people, entries = world
    published, draft = entries["ibm-published"], entries["meta-draft"]
    other = entries["meta-published"]
    to_draft = Relation.objects.create(
        source=published, relation_type="fine_tuned_from", target=draft
    )
    from_draft = Relation.objects.create(
        source=draft, relation_type="fine_tuned_from", target=other
    )
    external = Relation.objects.create(
        source=published,
        relation_type="trained_on",
        external_name="The Pile",
        external_kind="dataset",
    )
    assert set(Relation.objects.visible_to(AnonymousUser())) == {external}
    assert set(Relation.objects.visible_to(people["meta-viewer"])) == {
        to_draft,
        from_draft,
        external,
    }
    assert set(Relation.objects.within(Artifact.objects.published())) == {external}
