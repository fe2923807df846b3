"""Filters of the reference endpoints. The search filters live in catalog.search.filters,
shared with the web pages."""

import django_filters

from catalog.models import Organization, OrganizationKind
from catalog.search.filters import ArtifactFilterSet

__all__ = ["ArtifactFilterSet", "OrganizationFilterSet"]


class OrganizationFilterSet(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        field_name="kind",
        lookup_expr="exact",
        choices=OrganizationKind.choices,
        distinct=False,
        help_text="company, university, research_institute, government_agency, "
        "non_profit or foundation; repeat for any of several.",
    )
    country = django_filters.AllValuesMultipleFilter(
        field_name="country",
        lookup_expr="exact",
        distinct=False,
        help_text="Country as the catalog writes it, e.g. 'US' or 'Switzerland'; repeatable.",
    )

    class Meta:
        model = Organization
        fields: list[str] = []
