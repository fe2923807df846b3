"""The other org-scoped pages: lineage edges and memberships show only the user's own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.members import create_curator, give_member_access
from catalog.models import ArtifactStatus, Membership, MembershipRole, Relation, RelationType
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b = make_organization("org-a"), make_organization("org-b")
    people = {}
    for name, organization, role in (
        ("viewer_a", a, MembershipRole.VIEWER),
        ("editor_a", a, MembershipRole.EDITOR),
        ("admin_a", a, MembershipRole.ADMIN),
        ("admin_b", b, MembershipRole.ADMIN),
    ):
        user = User.objects.create(username=name)
        Membership.objects.create(user=user, organization=organization, role=role)
        give_member_access(user)
        people[name] = user
    people["curator"] = create_curator("curator", password=None)
    base = make_artifact("base", lead=b, status=ArtifactStatus.PUBLISHED)
    edges = {
        "a": Relation.objects.create(
            source=make_artifact("a-tuned", lead=a, status=ArtifactStatus.DRAFT),
            relation_type=RelationType.FINE_TUNED_FROM,
            target=base,
        ),
        "b": Relation.objects.create(
            source=make_artifact("b-tuned", lead=b, status=ArtifactStatus.DRAFT),
            relation_type=RelationType.FINE_TUNED_FROM,
            target=base,
        ),
    }
    return {"orgs": {"a": a, "b": b}, "people": people, "edges": edges}


RELATIONS_SHOWN = {
    "viewer_a": {"a"},
    "editor_a": {"a"},
    "admin_a": {"a"},
    "admin_b": {"b"},
    "curator": {"a", "b"},
}


@pytest.mark.parametrize(("role", "shown"), RELATIONS_SHOWN.items())
def test_lineage_edges_of_ones_own_entries_only(client, world, role, shown):
    client.force_login(world["people"][role])
    listed = client.get(reverse("admin:catalog_relation_changelist")).context["cl"].result_list
    assert set(listed) == {world["edges"][key] for key in shown}
    for key, edge in world["edges"].items():
        page = client.get(reverse("admin:catalog_relation_change", args=[edge.pk]))
        assert page.status_code == (200 if key in shown else 404)


MEMBERSHIPS_SHOWN = {
    "viewer_a": {"viewer_a", "editor_a", "admin_a"},
    "editor_a": {"viewer_a", "editor_a", "admin_a"},
    "admin_a": {"viewer_a", "editor_a", "admin_a"},
    "admin_b": {"admin_b"},
    "curator": {"viewer_a", "editor_a", "admin_a", "admin_b"},
}
# Who may give a role in A and in B ("ok"), or is refused ("403" page, "invalid" choice).
GRANT = {
    "viewer_a": {"a": 403, "b": 403},
    "editor_a": {"a": 403, "b": 403},
    "admin_a": {"a": "ok", "b": "invalid"},
    "admin_b": {"a": "invalid", "b": "ok"},
    "curator": {"a": "ok", "b": "ok"},
}


@pytest.mark.parametrize(("role", "shown"), MEMBERSHIPS_SHOWN.items())
def test_memberships_of_ones_own_organizations_only(client, world, role, shown):
    client.force_login(world["people"][role])
    listed = client.get(reverse("admin:catalog_membership_changelist")).context["cl"].result_list
    assert {m.user.username for m in listed} == shown


@pytest.mark.parametrize("role", GRANT)
@pytest.mark.parametrize("org", ["a", "b"])
def test_who_may_give_a_role(client, world, role, org):
    newcomer = User.objects.create(username="newcomer")
    client.force_login(world["people"][role])
    response = client.post(
        reverse("admin:catalog_membership_add"),
        {"username": "newcomer", "organization": world["orgs"][org].pk, "role": "editor"},
    )
    made = Membership.objects.filter(user=newcomer).first()
    expected = GRANT[role][org]
    if expected == "ok":
        assert response.status_code == 302
        assert (made.organization, made.role) == (world["orgs"][org], "editor")
        newcomer.refresh_from_db()
        assert newcomer.is_staff
    else:
        assert made is None
        if expected == 403:
            assert response.status_code == 403
        else:
            assert "Select a valid choice" in response.content.decode()


def test_an_unknown_username_is_said_plainly(client, world):
    client.force_login(world["people"]["admin_a"])
    response = client.post(
        reverse("admin:catalog_membership_add"),
        {"username": "nobody", "organization": world["orgs"]["a"].pk, "role": "viewer"},
    )
    assert "No active account is named &#x27;nobody&#x27;" in response.content.decode()


# -- an organization keeps an admin (the rule the API keeps too: catalog.members) ----------


def test_the_admin_will_not_demote_an_organizations_last_admin(client, world):
    admin_a = world["people"]["admin_a"]
    membership = Membership.objects.get(user=admin_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("admin:catalog_membership_change", args=[membership.pk]),
        {"username": "admin_a", "organization": world["orgs"]["a"].pk, "role": "editor"},
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "Org A would be left without an admin" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == MembershipRole.ADMIN


def test_the_admin_will_not_delete_an_organizations_last_admin(client, world):
    membership = Membership.objects.get(user=world["people"]["admin_a"])
    client.force_login(world["people"]["admin_a"])
    delete = reverse("admin:catalog_membership_delete", args=[membership.pk])
    change = reverse("admin:catalog_membership_change", args=[membership.pk])
    response = client.get(delete)
    assert (response.status_code, response["Location"]) == (302, change)  # no confirmation
    response = client.post(delete, {"post": "yes"}, follow=True)
    assert "Org A would be left without an admin" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_deleting_the_selected_memberships_keeps_an_admin(client, world):
    client.force_login(world["people"]["admin_a"])
    chosen = Membership.objects.filter(organization=world["orgs"]["a"])
    response = client.post(
        reverse("admin:catalog_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in chosen], "post": "yes"},
        follow=True,
    )
    assert "Org A would be left without an admin" in response.content.decode()
    assert chosen.count() == 3


def test_a_curator_may_delete_an_organizations_last_admin_in_the_admin(client, world):
    membership = Membership.objects.get(user=world["people"]["admin_a"])
    client.force_login(world["people"]["curator"])
    response = client.post(
        reverse("admin:catalog_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    record = Membership.history.latest("history_id")
    assert (record.history_type, record.history_user) == ("-", world["people"]["curator"])
