"""The member directory: every member organization, filterable by kind and country.

Three queries, however many members: the members with their published-entry counts,
and the counts of each kind and each country under the other filter (so choosing a
kind still shows how many members each country has of that kind).
"""

from __future__ import annotations

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.shortcuts import render

from catalog.countries import country_name
from catalog.models import Artifact, Organization, OrganizationKind


class DirectoryFilters(forms.Form):
    kind = forms.ChoiceField(choices=OrganizationKind.choices, required=False)
    country = forms.CharField(max_length=100, required=False)
    founding = forms.BooleanField(required=False, label="Founding members only")

    def apply(self, organizations, *, without: str | None = None):
        data = self.cleaned_data
        if data["kind"] and without != "kind":
            organizations = organizations.filter(kind=data["kind"])
        if data["country"] and without != "country":
            organizations = organizations.filter(country=data["country"])
        if data["founding"]:
            organizations = organizations.filter(founding_member=True)
        return organizations

    @property
    def active_count(self) -> int:
        return sum(bool(value) for value in self.cleaned_data.values())


def organization_list(request):
    filters = DirectoryFilters(request.GET)
    if not filters.is_valid():
        return render(
            request,
            "web/organization_list.html",
            {"filters": filters, "errors": filters.errors},
            status=400,
        )
    everyone = Organization.objects.all()
    published = Artifact.objects.published()
    members = (
        filters.apply(everyone)
        .annotate(
            published_count=Count("contributions", filter=Q(contributions__artifact__in=published))
        )
        .order_by(Lower("name"), "slug")
    )
    kinds = dict(
        filters.apply(everyone, without="kind")
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    countries = (
        filters.apply(everyone, without="country")
        .exclude(country="")
        .values_list("country")
        .annotate(n=Count("pk"))
        .values_list("country", "n")
    )
    chosen = filters.cleaned_data
    return render(
        request,
        "web/organization_list.html",
        {
            "filters": filters,
            "members": members,
            "kind_choices": [
                {"value": value, "label": label, "count": kinds.get(value, 0)}
                for value, label in OrganizationKind.choices
                if kinds.get(value) or chosen["kind"] == value
            ],
            "country_choices": sorted(
                (
                    {"value": code, "label": country_name(code), "count": count}
                    for code, count in countries
                ),
                key=lambda choice: choice["label"],
            ),
            "chosen": chosen,
        },
    )
