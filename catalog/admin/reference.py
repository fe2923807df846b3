"""Reference data: organizations, licenses and the taxonomy. Curators change them; every
member's staff may read them (they are public) and pick them through autocomplete.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import Lower
from simple_history.admin import SimpleHistoryAdmin

from catalog.admin.forms import lead_choices
from catalog.models import Language, License, Modality, Organization, Tag, Task


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ["organization_name", "slug", "kind", "country", "founding_member"]
    list_filter = ["kind", "founding_member"]
    search_fields = ["name", "slug", "full_name"]
    ordering = [Lower("name")]  # as people read: "AMD" after "Adversarial", "vLLM" before "Z"

    @admin.display(description="name", ordering=Lower("name"))
    def organization_name(self, obj):
        return obj.name

    def get_search_results(self, request, queryset, search_term):
        if (
            request.GET.get("model_name") == "artifact"
            and request.GET.get("field_name") == "organizations"
        ):
            # The lead of an entry: only the organizations the user may lead for.
            queryset = queryset & lead_choices(request.user)
        return super().get_search_results(request, queryset, search_term)


@admin.register(License)
class LicenseAdmin(SimpleHistoryAdmin):
    list_display = [
        "key",
        "name",
        "category",
        "commercial_use",
        "share_alike",
        "attribution",
        "use_restrictions",
    ]
    list_filter = ["category", "in_registry", "commercial_use", "use_restrictions"]
    search_fields = ["key", "name"]
    ordering = [Lower("key")]


class TermAdmin(admin.ModelAdmin):
    list_display = ["term_name", "slug"]
    search_fields = ["name", "slug"]
    ordering = [Lower("name")]

    @admin.display(description="name", ordering=Lower("name"))
    def term_name(self, obj):
        return obj.name


admin.site.register(Task, TermAdmin)
admin.site.register(Modality, TermAdmin)
admin.site.register(Language, TermAdmin)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["slug"]
