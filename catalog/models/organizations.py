"""Members of the alliance and the people who act for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from catalog.countries import country_name, validate_country_code
from catalog.identifiers import ORGANIZATION_SLUG_PATTERN, organization_slug_validator
from catalog.models.history import TokenHistory
from catalog.models.roles import (
    MembershipRole,
    is_curator,
    managing_organization_ids,
    member_organization_ids,
)


class OrganizationKind(models.TextChoices):
    COMPANY = "company", "Company"
    UNIVERSITY = "university", "University"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    NON_PROFIT = "non_profit", "Non-profit"
    FOUNDATION = "foundation", "Foundation"


class Organization(models.Model):
    slug = models.CharField(
        max_length=50,
        unique=True,
        validators=[organization_slug_validator],
        help_text="Short lowercase name used in URLs and artifact ids, e.g. 'ibm'.",
    )
    name = models.CharField(max_length=200, help_text="The name people use, e.g. 'IBM'.")
    full_name = models.CharField(max_length=300, blank=True, help_text="Legal or full name.")
    kind = models.CharField(
        max_length=32,
        choices=OrganizationKind.choices,
        blank=True,
        help_text="Left empty while unconfirmed.",
    )
    country = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code, e.g. 'CH'. Left empty while unconfirmed.",
    )
    website = models.URLField(blank=True)
    founding_member = models.BooleanField(
        default=False, help_text="Listed among the members at the alliance's launch."
    )
    description = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="URLs that back these facts.")
    unverified = models.JSONField(
        default=dict,
        blank=True,
        help_text="Claims not yet confirmed by a source, by field. Never shown as fact.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slug__regex=ORGANIZATION_SLUG_PATTERN),
                name="organization_slug_form",
            ),
            models.CheckConstraint(
                condition=Q(kind="") | Q(kind__in=OrganizationKind.values),
                name="organization_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("web:organization", kwargs={"slug": self.slug})

    @property
    def country_name(self) -> str:
        """The country's name for its ISO 3166-1 code ("" when none is recorded)."""
        return country_name(self.country)


class MembershipQuerySet(models.QuerySet):
    """Whose memberships a user may see and manage, for the admin and the API."""

    def visible_to(self, user: User | AnonymousUser) -> MembershipQuerySet:
        """Curators see every membership; a member sees those of their organizations."""
        if is_curator(user):
            return self.all()
        return self.filter(organization__in=member_organization_ids(user))

    def managed_by(self, user: User | AnonymousUser) -> MembershipQuerySet:
        """Curators manage every membership; an organization's admins manage its own."""
        if is_curator(user):
            return self.all()
        return self.filter(organization__in=managing_organization_ids(user))

    def admins(self) -> MembershipQuerySet:
        """The memberships whose role manages their organization."""
        return self.filter(role__in=MembershipRole.managing())

    def organizations_left_without_admin(self) -> models.QuerySet[Organization]:
        """The organizations that would have no admin left if these memberships were
        removed, or stopped being admins: those with an admin among them and none
        outside them. Empty when nobody's last admin is among them."""
        staying = Membership.objects.admins().exclude(pk__in=self.values("pk"))
        return Organization.objects.filter(pk__in=self.admins().values("organization_id")).exclude(
            pk__in=staying.values("organization_id")
        )


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=MembershipRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(bases=[TokenHistory])
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_one_per_user_and_organization"
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()} of {self.organization})"
