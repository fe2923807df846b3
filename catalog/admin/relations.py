"""Lineage edges on their own page, scoped to the entries of the user's organizations."""

from __future__ import annotations

from django.contrib import admin, messages

from catalog.admin.forms import RelationForm
from catalog.admin.scoping import OrganizationScopedAdmin
from catalog.licenses import derived_license_warnings
from catalog.models import Artifact, Relation
from catalog.models.roles import editing_organization_ids, is_curator


@admin.register(Relation)
class RelationAdmin(OrganizationScopedAdmin):
    form = RelationForm
    fields = ["source", *RelationForm.Meta.fields]
    list_display = ["source", "relation_type", "target_label", "target_kind"]
    list_filter = ["relation_type"]
    search_fields = ["source__name", "source__slug", "target__name", "external_name"]
    autocomplete_fields = ["source", "target"]
    list_select_related = ["source", "target"]

    def visible_rows(self, request, queryset):
        return queryset.visible_to(request.user).filter(
            source__in=Artifact.objects.in_workspace_of(request.user)
        )

    def editable_rows(self, request, queryset):
        return queryset.filter(source__in=Artifact.objects.editable_by(request.user))

    def may_add(self, request) -> bool:
        return is_curator(request.user) or bool(editing_organization_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source":
            kwargs["queryset"] = Artifact.objects.editable_by(request.user)
        elif db_field.name == "target":
            kwargs["queryset"] = Artifact.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for warning in derived_license_warnings(obj.source):
            messages.warning(request, warning)
