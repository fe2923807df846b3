"""The people and entries the admin tests act on: two organizations, four entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from catalog.members import create_curator, give_member_access
from catalog.models import Artifact, ArtifactStatus, Membership, MembershipRole
from tests.factories import make_artifact, make_organization

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
