"""Filters of the reference endpoints. The search filters live in catalog.search.filters,
shared with the web pages."""

import django_filters

from catalog.countries import COUNTRY_NAMES
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
    # Any ISO code, not only those of today's members: a country without one lists none.
    country = django_filters.MultipleChoiceFilter(
        field_name="country",
        lookup_expr="exact",
        choices=sorted(COUNTRY_NAMES.items()),
        distinct=False,
        help_text="ISO 3166-1 alpha-2 code, e.g. 'US' or 'CH'; repeat for any of several.",
    )

    class Meta:
        model = Organization
        fields: list[str] = []
