"""Issuing, finding and revoking API tokens: the one implementation the admin, the
`create_token` command and the API's authentication share.

The secret is `alc_` followed by 32 random bytes (URL-safe base64). It is returned once,
by `issue_token`, and never stored: the database keeps its SHA-256 and its first
characters after the prefix (the identifier, to find the row and tell tokens apart).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import TOKEN_PREFIX, ApiToken, Organization, TokenScope
from catalog.models.roles import is_active_user, is_curator, member_organization_ids
from catalog.models.tokens import (
    DEFAULT_LIFETIME,
    IDENTIFIER_LENGTH,
    MAX_LIFETIME,
    identifier_of,
    secret_digest,
)

SECRET_BYTES = 32
LIFETIME_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}

UNKNOWN_SCOPE = "Unknown scope '{scope}'. Choose from: {choices}."
NO_SCOPE = "Choose at least one scope."
PUBLISH_FOR_CURATORS = "Only curators' tokens may publish; {user} is not a curator."
NOT_A_MEMBER = (
    "{user} is not a member of {organization}; a token acts only for its user's organizations."
)
NO_ORGANIZATION = "A token that may write, submit or publish needs at least one organization."
INACTIVE_USER = "The account {user} is inactive; it cannot have tokens."
BAD_LIFETIME = (
    "Give the lifetime as a number of hours, days or weeks, like 90d, 12w or 48h; not '{text}'."
)
TOO_LONG = "A token lives at most a year (365 days); {days} days asked."
TOO_SHORT = "A token's lifetime must be more than zero."
NAME_REQUIRED = "Give the token a name that says what it is for."
NAME_TAKEN = "{user} already has a token named '{name}'; revoke it first or choose another name."


class TokenError(ValueError):
    """A token that cannot be issued as asked, said plainly."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def parse_lifetime(text: str) -> timedelta:
    """'90d' -> 90 days; also hours (h) and weeks (w)."""
    match = re.fullmatch(r"\s*([0-9]{1,5})\s*([hdw])\s*", text or "")
    if match is None:
        raise TokenError(BAD_LIFETIME.format(text=text))
    return int(match[1]) * LIFETIME_UNITS[match[2]]


def check_lifetime(lifetime: timedelta) -> timedelta:
    if lifetime <= timedelta(0):
        raise TokenError(TOO_SHORT)
    if lifetime > MAX_LIFETIME:
        raise TokenError(TOO_LONG.format(days=lifetime.days))
    return lifetime


def check_scopes(user: User, scopes: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(scopes))
    if not chosen:
        raise TokenError(NO_SCOPE)
    for scope in chosen:
        if scope not in TokenScope.values:
            raise TokenError(
                UNKNOWN_SCOPE.format(scope=scope, choices=", ".join(TokenScope.values))
            )
    if TokenScope.PUBLISH in chosen and not is_curator(user):
        raise TokenError(PUBLISH_FOR_CURATORS.format(user=user.username))
    # In the order of TokenScope, so equal sets read the same everywhere.
    return [scope for scope in TokenScope.values if scope in chosen]


def organizations_open_to(user: User):
    """The organizations a token of `user` may act for: theirs (every one for a curator)."""
    if is_curator(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=member_organization_ids(user))


def check_organizations(
    user: User, organizations: Iterable[Organization], scopes: list[str]
) -> list[Organization]:
    chosen = list(dict.fromkeys(organizations))
    if not is_curator(user):
        theirs = member_organization_ids(user)
        for organization in chosen:
            if organization.pk not in theirs:
                raise TokenError(
                    NOT_A_MEMBER.format(user=user.username, organization=organization.slug)
                )
    if not chosen and set(scopes) - {TokenScope.READ}:
        raise TokenError(NO_ORGANIZATION)
    return chosen


def check_name(user: User, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise TokenError(NAME_REQUIRED)
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise TokenError(NAME_TAKEN.format(user=user.username, name=name))
    return name


def _new_secret() -> str:
    while True:
        secret = TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
        if not ApiToken.objects.filter(identifier=identifier_of(secret)).exists():
            return secret


@transaction.atomic
def issue_token(
    *,
    user: User,
    name: str,
    organizations: Iterable[Organization],
    scopes: Iterable[str],
    lifetime: timedelta = DEFAULT_LIFETIME,
    at: datetime | None = None,
) -> IssuedToken:
    """A new token for `user`; everything is checked first, so bad input creates nothing."""
    at = at or timezone.now()
    if not is_active_user(user):
        raise TokenError(INACTIVE_USER.format(user=user.username))
    name = check_name(user, name)
    scopes = check_scopes(user, scopes)
    organizations = check_organizations(user, organizations, scopes)
    lifetime = check_lifetime(lifetime)
    secret = _new_secret()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                scopes=scopes,
                identifier=identifier_of(secret),
                secret_hash=secret_digest(secret),
                created_at=at,
                expires_at=at + lifetime,
            )
    except IntegrityError:
        # Two requests racing for one name: the database's unique constraint decides.
        raise TokenError(NAME_TAKEN.format(user=user.username, name=name)) from None
    token.organizations.set(organizations)
    return IssuedToken(token=token, secret=secret)


def find_token(secret: str) -> ApiToken | None:
    """The token whose secret this is (live or not), or None; one query."""
    identifier = identifier_of(secret)
    if not secret.startswith(TOKEN_PREFIX) or len(identifier) != IDENTIFIER_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(identifier=identifier).first()
    if token is None or not token.matches(secret):
        return None
    return token


def revoke_token(token: ApiToken, *, at: datetime | None = None) -> bool:
    """Revoke the token (at once, for every process); False if it already was."""
    at = at or timezone.now()
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=at)
    if changed:
        token.revoked_at = at
    return bool(changed)
