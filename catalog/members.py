"""Accounts for members' staff and curators, and their memberships: one small function
per write, shared by the admin, the API and the commands."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.db.models import QuerySet

from catalog.models import ApiToken, Membership, MembershipRole, Organization
from catalog.models.roles import CURATORS_GROUP, MEMBERS_GROUP, forget_roles, is_curator

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


UNKNOWN_ROLE = "Unknown role '{role}'. Choose one of: {choices}."
LAST_ADMIN = (
    "{organizations} would be left without an admin. Make another member an admin "
    "first; only a curator may leave an organization without one."
)


class MemberError(ValueError):
    """A request for an account that cannot be met, said plainly."""


class LastAdminError(MemberError):
    """A removal or a change of role that would leave an organization without an admin."""


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
        raise MemberError(UNKNOWN_ROLE.format(role=role, choices=", ".join(MembershipRole.values)))
    return role


# -- memberships: an organization keeps an admin ------------------------------------------


def check_an_admin_remains(memberships: QuerySet[Membership], *, by: User) -> None:
    """Refuse to remove these memberships, or take their admin role, when an organization
    would be left with no admin to manage its people and entries; a curator may (to wind
    an organization down, or to mend its people). The one home of the rule: the admin
    and the API both ask it."""
    if is_curator(by):
        return
    orphaned = memberships.organizations_left_without_admin().order_by("name")
    names = [organization.name for organization in orphaned]
    if names:
        raise LastAdminError(LAST_ADMIN.format(organizations=" and ".join(names)))


def check_change_keeps_an_admin(
    membership: Membership, *, organization: Organization, role: str, by: User
) -> None:
    """For a change of a saved membership to `role` in `organization`: its stored row
    stops being an admin of its organization unless it stays an admin of the same one."""
    if membership.pk is None:
        return
    changing = Membership.objects.filter(pk=membership.pk)
    if MembershipRole(role).can_manage:
        changing = changing.exclude(organization=organization)
    check_an_admin_remains(changing, by=by)


def _lock_organizations(organization_ids: Iterable[int]) -> None:
    """One membership write per organization at a time (PostgreSQL locks the rows; SQLite
    writes one transaction at a time anyway): two admins demoting each other at once
    cannot both pass the check above."""
    locked = Organization.objects.select_for_update().filter(pk__in=set(organization_ids))
    list(locked.order_by("pk").values_list("pk", flat=True))


def _name_the_writer(membership: Membership, by: User, token: ApiToken | None, reason) -> None:
    membership._history_user = by
    membership._history_api_token = token
    membership._change_reason = reason


@transaction.atomic
def save_membership(
    membership: Membership, *, by: User, token: ApiToken | None = None, reason: str | None = None
) -> Membership:
    """Save a membership added or changed by `by` (in the admin or over the API): the
    organization keeps an admin (else `LastAdminError`, nothing saved), the history row
    names who and the token, and the person may sign in to the admin."""
    stored = []  # the organization it belongs to now, for a change
    if membership.pk is not None:
        rows = Membership.objects.select_for_update().filter(pk=membership.pk)
        stored = list(rows.values_list("organization_id", flat=True))
    _lock_organizations([membership.organization_id, *stored])
    check_change_keeps_an_admin(
        membership, organization=membership.organization, role=membership.role, by=by
    )
    _name_the_writer(membership, by, token, reason)
    membership.save()
    give_member_access(membership.user)
    forget_roles(by)
    return membership


@transaction.atomic
def remove_memberships(
    memberships: QuerySet[Membership],
    *,
    by: User,
    token: ApiToken | None = None,
    reason: str | None = None,
) -> int:
    """Remove memberships (in the admin or over the API): each organization keeps an
    admin (else `LastAdminError`, nothing removed), and each history row names who and
    the token. The people's API tokens stop acting for those organizations at once:
    `ApiToken.allows` reads the memberships of the moment."""
    rows = list(memberships.select_for_update(of=("self",)).select_related("user"))
    _lock_organizations(row.organization_id for row in rows)
    check_an_admin_remains(Membership.objects.filter(pk__in=[row.pk for row in rows]), by=by)
    for row in rows:
        _name_the_writer(row, by, token, reason)
        row.delete()
        forget_roles(row.user)
    forget_roles(by)
    return len(rows)


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
