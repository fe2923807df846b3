"""List filters for the entry sections; their choices come from the user's own rows."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import ContributionRole, LicenseCategory, Organization

RECENT_CHANGES = datetime.timedelta(days=30)


class ReviewQueueFilter(admin.SimpleListFilter):
    title = "review queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("in_review", "Waiting for review"),
            ("changed", "Changed after publishing (last 30 days)"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "in_review":
            return queryset.in_review()
        if self.value() == "changed":
            return queryset.changed_after_publishing(since=timezone.now() - RECENT_CHANGES)
        return queryset


class LeadOrganizationFilter(admin.SimpleListFilter):
    """Only organizations that lead an entry the user can already see."""

    title = "lead organization"
    parameter_name = "lead"

    def lookups(self, request, model_admin):
        visible = model_admin.get_queryset(request)
        organizations = (
            Organization.objects.filter(
                contributions__role=ContributionRole.LEAD, contributions__artifact__in=visible
            )
            .distinct()
            .order_by(Lower("name"), "pk")  # as people read: "Sakana AI" before "SB Intuitions"
        )
        return [(organization.slug, organization.name) for organization in organizations]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                contributions__role=ContributionRole.LEAD,
                contributions__organization__slug=self.value(),
            )
        return queryset


class LicenseCategoryFilter(admin.SimpleListFilter):
    title = "license category"
    parameter_name = "license_category"

    def lookups(self, request, model_admin):
        return LicenseCategory.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(licenses__category=self.value()).distinct()
        return queryset
