"""Who a user is to the catalog: anonymous, a member's staff, a curator or a superuser.

Visibility itself is written once, on the QuerySets (`published()`, `visible_to(user)`,
`in_workspace_of(user)`, `editable_by(user)`); these helpers answer the questions those
methods, the admin and the workflow ask. Nothing here imports the models at module
level, because the models import this module.

Roles, from the widest to the narrowest:

- superusers and site-wide *curators* (members of the `curators` group) see and change
  every entry, and alone publish, send back and restore;
- per organization, a Membership *admin* manages the organization's memberships and
  entries, an *editor* creates and edits the organization's entries and submits them,
  a *viewer* sees the organization's drafts.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

CURATORS_GROUP = "curators"
MEMBERS_GROUP = "members"

EDITING_ROLES = ("admin", "editor")  # MembershipRole values that may change entries
MANAGING_ROLES = ("admin",)  # MembershipRole values that may manage memberships


def is_active_user(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_curator(user: User | AnonymousUser) -> bool:
    """Site-wide curators (and superusers) review and publish every member's entries."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_catalog_is_curator", None)
    if cached is None:
        cached = user.groups.filter(name=CURATORS_GROUP).exists()
        user._catalog_is_curator = cached
    return cached


def organization_roles(user: User | AnonymousUser) -> dict[int, str]:
    """The user's role in each organization, by organization id (one query, then cached)."""
    if not is_active_user(user):
        return {}
    cached = getattr(user, "_catalog_organization_roles", None)
    if cached is None:
        cached = dict(user.memberships.values_list("organization_id", "role"))
        user._catalog_organization_roles = cached
    return cached


def member_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations the user belongs to in any role."""
    return set(organization_roles(user))


def editing_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations whose entries the user may create and change (admin or editor)."""
    return {org for org, role in organization_roles(user).items() if role in EDITING_ROLES}


def managing_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations whose memberships the user manages (admin)."""
    return {org for org, role in organization_roles(user).items() if role in MANAGING_ROLES}


def may_lead_for(user: User | AnonymousUser, organization_id: int | None) -> bool:
    """May the user register or keep an entry with this organization as its lead?"""
    if is_curator(user):
        return True
    return organization_id in editing_organization_ids(user)


def may_manage_memberships_of(user: User | AnonymousUser, organization_id: int | None) -> bool:
    if is_curator(user):
        return True
    return organization_id in managing_organization_ids(user)


def forget_roles(user: User | AnonymousUser) -> None:
    """Drop the cached answers, after the user's memberships or groups changed."""
    for attribute in ("_catalog_is_curator", "_catalog_organization_roles"):
        if hasattr(user, attribute):
            delattr(user, attribute)
