"""Who a user is to the catalog: anonymous, a member's staff, a curator or a superuser.

Roles, from the widest to the narrowest:

- superusers and site-wide *curators* (members of the `curators` group) see and change
  every entry, and alone publish, send back and restore;
- per organization, a Membership's role (`MembershipRole`) says what its holder may do:
  an *admin* manages the organization's memberships and its entries' fate (deprecate,
  withdraw), an *editor* creates and edits the organization's entries and submits them,
  a *viewer* sees the organization's drafts.

Visibility itself is written once, on the QuerySets (`Artifact.objects.visible_to`,
`editable_by`, `managed_by`; `Membership.objects.managed_by`; `Relation.objects
.visible_to`); the functions here answer the questions those methods ask. This module is
the lowest of the models package: it imports no model.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser, User
from django.db import models

CURATORS_GROUP = "curators"
MEMBERS_GROUP = "members"


class MembershipRole(models.TextChoices):
    """Roles inside one organization, after CKAN."""

    ADMIN = "admin", "Admin"  # manages the organization's people and entries
    EDITOR = "editor", "Editor"  # creates and edits entries, submits them for review
    VIEWER = "viewer", "Viewer"  # sees the organization's drafts

    @property
    def can_edit(self) -> bool:
        """May create and change the organization's entries and submit them for review."""
        return self in (MembershipRole.ADMIN, MembershipRole.EDITOR)

    @property
    def can_manage(self) -> bool:
        """May manage the organization's memberships, and deprecate or withdraw its entries."""
        return self == MembershipRole.ADMIN

    @classmethod
    def editing(cls) -> list[MembershipRole]:
        return [role for role in cls if role.can_edit]

    @classmethod
    def managing(cls) -> list[MembershipRole]:
        return [role for role in cls if role.can_manage]


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


def organization_roles(user: User | AnonymousUser) -> dict[int, MembershipRole]:
    """The user's role in each organization, by organization id (one query, then cached)."""
    if not is_active_user(user):
        return {}
    cached = getattr(user, "_catalog_organization_roles", None)
    if cached is None:
        cached = {
            organization_id: MembershipRole(role)
            for organization_id, role in user.memberships.values_list("organization_id", "role")
        }
        user._catalog_organization_roles = cached
    return cached


def member_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations the user belongs to in any role."""
    return set(organization_roles(user))


def editing_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations whose entries the user may create and change (admin or editor)."""
    return {org for org, role in organization_roles(user).items() if role.can_edit}


def managing_organization_ids(user: User | AnonymousUser) -> set[int]:
    """Organizations whose memberships and entries' fate the user manages (admin)."""
    return {org for org, role in organization_roles(user).items() if role.can_manage}


def may_lead_for(user: User | AnonymousUser, organization_id: int | None) -> bool:
    """May the user register or keep an entry with this organization as its lead?"""
    if is_curator(user):
        return True
    return organization_id in editing_organization_ids(user)


def narrow_to_organizations(user: User, organization_ids: Callable[[], set[int]]) -> None:
    """For a request made with an API token: beyond what is public, the user reads only
    the entries of the organizations the token acts for, not all of their own.
    `organization_ids` is asked once, when visibility is first asked."""
    user._catalog_reading_organizations = organization_ids


def reading_organization_ids(user: User | AnonymousUser) -> frozenset[int] | None:
    """The organizations whose unpublished entries a token-narrowed user reads; None
    when the user is not narrowed (a session reads with all of its user's rights)."""
    answer = getattr(user, "_catalog_reading_organizations", None)
    if callable(answer):
        answer = frozenset(answer())
        user._catalog_reading_organizations = answer
    return answer


def may_see_members_of(user: User | AnonymousUser, organization_id: int) -> bool:
    """May the user see who belongs to the organization, and in which role? Its own
    members may, and curators; nobody else (`Membership.objects.visible_to`)."""
    return is_curator(user) or organization_id in member_organization_ids(user)


def may_manage_members_of(user: User | AnonymousUser, organization_id: int) -> bool:
    """May the user add, change and remove the organization's memberships? Its admins
    may, and curators (`Membership.objects.managed_by`)."""
    return is_curator(user) or organization_id in managing_organization_ids(user)


def forget_roles(user: User | AnonymousUser) -> None:
    """Drop the cached answers, after the user's memberships or groups changed."""
    for attribute in ("_catalog_is_curator", "_catalog_organization_roles"):
        if hasattr(user, attribute):
            delattr(user, attribute)
