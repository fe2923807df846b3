"""API tokens: how an integration (a member's release pipeline, a lab's registry) acts
for its user over the API.

A token belongs to one user, acts for some of that user's organizations, within some
scopes, until it expires or is revoked. Only a hash of its secret is stored; the secret
itself is shown once, when the token is issued (`catalog.tokens.issue_token`).

A token never grants more than its user has now: what it may do is worked out at each
request from the user's current memberships and curatorship (`allows`), so removing a
membership disarms every token of that user for that organization at once.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from catalog.models.organizations import Organization
from catalog.models.roles import is_active_user, is_curator, organization_roles

# Every secret starts with this, so secret scanners (and people) recognise a leaked one.
TOKEN_PREFIX = "alc_"  # noqa: S105 (a marker, not a secret)
# The public identifier: the first characters after the prefix, shown in lists and
# used to find the token; the rest of the secret is never stored.
IDENTIFIER_LENGTH = 8
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
# Last use is written at most once a minute per token: one UPDATE, not one per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class TokenScope(models.TextChoices):
    """What a token may do; write views ask `token.allows(scope, organization)`."""

    READ = "read", "Read (the catalog as you see it, drafts included)"
    WRITE = "write", "Write (create and change entries)"
    SUBMIT = "submit", "Submit (send entries for review)"
    PUBLISH = "publish", "Publish (curators only)"

    @property
    def curators_only(self) -> bool:
        return self is TokenScope.PUBLISH


def secret_digest(secret: str) -> str:
    """SHA-256 of the secret: it is 32 random bytes, so a slow password hash adds nothing."""
    return hashlib.sha256(secret.encode()).hexdigest()


def identifier_of(secret: str) -> str:
    return secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + IDENTIFIER_LENGTH]


class LivesAtMost(models.Func):
    """`expires_at - created_at <= <days> days`, in SQL each engine reads alone.

    Django's own `F("created_at") + timedelta` compiles on SQLite to a function only
    Django's connections define (`django_format_dtdelta`); this uses SQLite's own
    `strftime`, to whole seconds (SQLite keeps times as text).
    """

    output_field = models.BooleanField()

    def __init__(self, days: int, **extra):
        super().__init__(F("expires_at"), F("created_at"), models.Value(days), **extra)

    def as_sql(self, compiler, connection, **extra):
        expires, created, days = (compiler.compile(e) for e in self.get_source_expressions())
        sql = f"{expires[0]} <= {created[0]} + make_interval(days => {days[0]})"
        return sql, (*expires[1], *created[1], *days[1])

    def as_sqlite(self, compiler, connection, **extra):
        expires, created, days = (compiler.compile(e) for e in self.get_source_expressions())
        sql = (
            f"CAST(strftime('%%s', {expires[0]}) AS INTEGER)"
            f" - CAST(strftime('%%s', {created[0]}) AS INTEGER) <= {days[0]} * 86400"
        )
        return sql, (*expires[1], *created[1], *days[1])


class ApiTokenQuerySet(models.QuerySet):
    def active(self, at: datetime | None = None) -> ApiTokenQuerySet:
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=at)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'release pipeline'."
    )
    organizations = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="api_tokens",
        help_text="The organizations the token may act for: some of its user's.",
    )
    scopes = models.JSONField(default=list, help_text="What the token may do.")
    identifier = models.CharField(
        max_length=IDENTIFIER_LENGTH,
        editable=False,
        help_text="The public part of the secret, to tell tokens apart.",
    )
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["identifier"], name="apitoken_identifier_unique"),
            models.UniqueConstraint(fields=["secret_hash"], name="apitoken_secret_hash_unique"),
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_name_unique_per_user_while_live",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")),
                name="apitoken_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=LivesAtMost(MAX_LIFETIME.days),
                name="apitoken_lifetime_at_most_a_year",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="apitoken_revoked_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(identifier__regex=rf"^[A-Za-z0-9_-]{{{IDENTIFIER_LENGTH}}}$"),
                name="apitoken_identifier_form",
            ),
            models.CheckConstraint(
                condition=Q(secret_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106 (a form)
                name="apitoken_secret_hash_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self) -> str:
        """What the secret starts with, safe to show: `alc_` and the identifier."""
        return f"{TOKEN_PREFIX}{self.identifier}"

    # -- the secret -----------------------------------------------------------------

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, secret_digest(secret))

    # -- life ------------------------------------------------------------------------

    def is_expired(self, at: datetime | None = None) -> bool:
        return self.expires_at <= (at or timezone.now())

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_live(self, at: datetime | None = None) -> bool:
        return not self.is_revoked and not self.is_expired(at)

    def record_use(self, at: datetime | None = None) -> None:
        """Note the use, at most once a minute per token (one UPDATE, none in between)."""
        at = at or timezone.now()
        if self.last_used_at is not None and at - self.last_used_at < LAST_USE_RESOLUTION:
            return
        ApiToken.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=at - LAST_USE_RESOLUTION)
        ).update(last_used_at=at)
        self.last_used_at = at

    # -- what it grants, now ----------------------------------------------------------

    def chosen_organization_ids(self) -> set[int]:
        cached = getattr(self, "_chosen_organization_ids", None)
        if cached is None:
            cached = set(self.organizations.values_list("pk", flat=True))
            self._chosen_organization_ids = cached
        return cached

    def effective_organization_ids(self) -> set[int]:
        """The organizations the token acts for now: those it was given that its user
        still belongs to (a curator still acts for every organization)."""
        if not is_active_user(self.user):
            return set()
        chosen = self.chosen_organization_ids()
        if is_curator(self.user):
            return chosen
        return chosen & set(organization_roles(self.user))

    def allows(self, scope: str, organization: Organization | int | None = None) -> bool:
        """May this token, now, do `scope` for `organization`?

        `read` without an organization is reading what is public. Everything else needs
        an organization the token acts for, and the user's own right to it now: `write`
        and `submit` an editing role (admin or editor) or curatorship, `publish`
        curatorship.
        """
        if not self.is_live() or scope not in self.scopes or not is_active_user(self.user):
            return False
        if organization is None:
            return scope == TokenScope.READ
        organization_id = organization if isinstance(organization, int) else organization.pk
        if organization_id not in self.effective_organization_ids():
            return False
        if is_curator(self.user):
            return True
        if scope == TokenScope.PUBLISH:
            return False
        if scope in (TokenScope.WRITE, TokenScope.SUBMIT):
            role = organization_roles(self.user).get(organization_id)
            return role is not None and role.can_edit
        return True


class IdempotentRequest(models.Model):
    """The first answer to a token's POST sent with an `Idempotency-Key`: a retry of the
    same request gets it again and creates nothing new."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255, help_text="The client's Idempotency-Key.")
    request_digest = models.CharField(
        max_length=64, help_text="SHA-256 of the method, path and body the key first came with."
    )
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], name="idempotentrequest_key_unique_per_token"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"
