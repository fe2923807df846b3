"""Accounts for members' staff and curators: one small function per write."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from catalog.models import Membership, MembershipRole, Organization
from catalog.models.roles import CURATORS_GROUP, MEMBERS_GROUP, forget_roles

# Model permissions that let a member's staff reach the admin pages at all; which rows
# they may see and change is decided per row by the org-scoped admin.
MEMBER_MODELS = (
    "artifact",
    "modelentry",
    "datasetentry",
    "toolentry",
    "contribution",
    "relation",
    "opennesscomponent",
    "modelvariant",
    "source",
    "membership",
)
# Public reference data members pick from (autocomplete) but only curators change.
REFERENCE_MODELS = ("organization", "license", "task", "modality", "language", "tag")
CURATOR_MODELS = (*MEMBER_MODELS, *REFERENCE_MODELS)


class MemberError(ValueError):
    """A request for an account that cannot be met, said plainly."""


def _user(username: str, *, email: str, password: str | None) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if not created and email and user.email != email:
        user.email = email
    user.is_staff = True
    if password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    return user


def _grant(group_name: str, models: tuple[str, ...], view_only: tuple[str, ...] = ()) -> Group:
    group, _ = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(
        content_type__app_label="catalog", content_type__model__in=models
    ) | Permission.objects.filter(
        content_type__app_label="catalog",
        content_type__model__in=view_only,
        codename__startswith="view_",
    )
    group.permissions.add(*permissions)
    return group


def give_member_access(user: User) -> None:
    """Let a member's staff log in to the admin; their rows are scoped there."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(_grant(MEMBERS_GROUP, MEMBER_MODELS, view_only=REFERENCE_MODELS))
    forget_roles(user)


def find_organization(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise MemberError(
            f"No organization with the slug '{slug}'. See GET /api/v1/organizations/ for the slugs."
        ) from None


def check_role(role: str) -> str:
    if role not in MembershipRole.values:
        raise MemberError(
            f"Unknown role '{role}'. Choose one of: {', '.join(MembershipRole.values)}."
        )
    return role


@transaction.atomic
def create_member(
    username: str, *, organization: str, role: str, email: str = "", password: str | None
) -> Membership:
    """Give `username` (created if new) `role` in the organization with slug `organization`."""
    check_role(role)
    org = find_organization(organization)
    user = _user(username, email=email, password=password)
    membership, _ = Membership.objects.update_or_create(
        user=user, organization=org, defaults={"role": role}
    )
    give_member_access(user)
    return membership


@transaction.atomic
def create_curator(username: str, *, email: str = "", password: str | None) -> User:
    """Make `username` (created if new) a site-wide curator."""
    user = _user(username, email=email, password=password)
    user.groups.add(_grant(CURATORS_GROUP, CURATOR_MODELS))
    forget_roles(user)
    return user


DEMO_PASSWORD = "alliance-demo"  # noqa: S105 (development only; refused in production)
DEMO_ACCOUNTS = (
    ("curator", "Curator of the whole catalog", None),
    ("ibm-editor", "Editor of IBM's entries", "ibm"),
)


def create_demo_accounts() -> list[tuple[str, str]]:
    """The development demo accounts; never in production."""
    if settings.PRODUCTION:
        raise MemberError("Demo accounts are for development only; not created in production.")
    made = []
    for username, what, organization in DEMO_ACCOUNTS:
        if organization is None:
            create_curator(username, password=DEMO_PASSWORD)
        else:
            create_member(
                username,
                organization=organization,
                role=MembershipRole.EDITOR,
                password=DEMO_PASSWORD,
            )
        made.append((username, what))
    return made
