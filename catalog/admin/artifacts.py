"""Entries in the admin: a section per kind (Models, Datasets, Tools) and one for all.

Members see their organizations' entries and change those their organizations lead;
curators see and change everything. The id, status, openness class and license flags
are shown, never typed in.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from catalog.admin.filters import LeadOrganizationFilter, LicenseCategoryFilter, ReviewQueueFilter
from catalog.admin.forms import (
    LEAD_FIELD,
    ArtifactForm,
    ContributorFormSet,
    OpennessComponentForm,
    RelationForm,
    RelationFormSet,
)
from catalog.admin.review import ReviewMixin
from catalog.admin.scoping import OrganizationScopedAdmin, ScopedInline
from catalog.admin.versions import OneVersionPerSave, as_artifact
from catalog.licenses import derived_license_warnings, link_licenses
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    ModelVariant,
    OpennessComponent,
    Organization,
    Relation,
    Source,
)
from catalog.models.proxies import DatasetEntry, ModelEntry, ToolEntry
from catalog.models.roles import editing_organization_ids, is_curator
from catalog.openness import assess_artifact
from catalog.workflow import WITHDRAW

# Fields no admin form sets: the workflow's and the computed ones.
KEPT_ON_SAVE = (
    "status",
    "review_note",
    "withdrawn_reason",
    "published_at",
    "openness_class",
    "namespace",
)


def save_lead_and_licenses(artifact: Artifact, lead: Organization) -> None:
    """Keep the entry's one lead contribution and its linked licenses true to the form."""
    current = artifact.contributions.filter(role=ContributionRole.LEAD).first()
    if current is None:
        Contribution.objects.create(
            artifact=artifact, organization=lead, role=ContributionRole.LEAD
        )
    elif current.organization_id != lead.pk:
        current.organization = lead
        current.save()
    link_licenses(artifact)


# -- inlines -----------------------------------------------------------------------------


class ContributorInline(ScopedInline, admin.TabularInline):
    model = Contribution
    formset = ContributorFormSet
    fields = ["organization"]
    autocomplete_fields = ["organization"]
    extra = 0
    verbose_name = "contributing organization"
    verbose_name_plural = "contributing organizations (the lead is chosen above)"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(role=ContributionRole.CONTRIBUTOR)
            .select_related("organization")
        )


class RelationInline(ScopedInline, admin.TabularInline):
    model = Relation
    fk_name = "source"
    form = RelationForm
    formset = RelationFormSet
    autocomplete_fields = ["target"]
    extra = 0
    verbose_name = "lineage edge"
    verbose_name_plural = "lineage: what this entry comes from or uses"

    def get_queryset(self, request):
        edges = super().get_queryset(request).select_related("source", "target")
        return edges.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target":
            # Published entries of any member, and the drafts of the user's own.
            kwargs["queryset"] = Artifact.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SourceInline(ScopedInline, admin.TabularInline):
    model = Source
    fields = ["url", "position"]
    extra = 0
    verbose_name_plural = "sources: the URLs that back the facts"


class VariantInline(ScopedInline, admin.TabularInline):
    model = ModelVariant
    fields = ["name", "parameters", "active_parameters"]
    extra = 0
    verbose_name_plural = "sizes (variants of the model family)"


class OpennessInline(ScopedInline, admin.TabularInline):
    model = OpennessComponent
    form = OpennessComponentForm
    extra = 0
    verbose_name_plural = "openness components (Model Openness Framework)"


KIND_INLINES = {
    ArtifactKind.MODEL: [ContributorInline, VariantInline, OpennessInline, RelationInline],
    ArtifactKind.DATASET: [ContributorInline, RelationInline],
    ArtifactKind.TOOL: [ContributorInline, RelationInline],
}
KIND_FIELDS = {
    ArtifactKind.MODEL: ("Model", ["architecture", "openness_summary"]),
    ArtifactKind.DATASET: ("Dataset", ["size_value", "size_unit", "formats"]),
    ArtifactKind.TOOL: ("Tool", ["tool_category", "programming_languages"]),
}


# -- the entry admin ---------------------------------------------------------------------


class ArtifactAdmin(OneVersionPerSave, ReviewMixin, OrganizationScopedAdmin):
    """All entries: the curators' review desk; each kind's section narrows it."""

    kind: str | None = None
    form = ArtifactForm
    delete_selected_confirmation_template = "admin/catalog/entries_delete_selected.html"
    list_display = [
        "entry_name",
        "computed_id",
        "kind",
        "lead",
        "license_expression",
        "status",
        "openness_class",
        "updated_at",
    ]
    list_filter = [
        ReviewQueueFilter,
        "kind",
        "status",
        LicenseCategoryFilter,
        LeadOrganizationFilter,
        "openness_class",
    ]
    search_fields = ["name", "namespace", "slug", "summary"]
    ordering = ["-updated_at"]
    autocomplete_fields = ["tasks", "modalities", "languages", "tags"]
    readonly_fields = [
        "computed_id",
        "kind",
        "status",
        "review_note",
        "withdrawn_reason",
        "published_at",
        "updated_at",
        "license_flags",
        "openness_summary",
    ]
    inlines = [ContributorInline, SourceInline, RelationInline]
    history_list_display = ["status_label"]

    # -- rows

    def visible_rows(self, request, queryset):
        return queryset.in_workspace_of(request.user)

    def editable_rows(self, request, queryset):
        return queryset.editable_by(request.user)

    def may_add(self, request) -> bool:
        return is_curator(request.user) or bool(editing_organization_ids(request.user))

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.kind:
            queryset = queryset.filter(kind=self.kind)
        return queryset.prefetch_related(
            # The lead column reads these; without them, one query per row.
            Prefetch("contributions", queryset=Contribution.objects.select_related("organization"))
        )

    def get_search_results(self, request, queryset, search_term):
        if _is_lineage_autocomplete(request):
            # Lineage may point to any member's published entries, not only the user's own.
            queryset = Artifact.objects.visible_to(request.user)
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return self.kind is not None and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        # Members delete only drafts; what the public has seen is withdrawn instead.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or is_curator(request.user) or obj.status == ArtifactStatus.DRAFT

    # -- the form

    def get_fieldsets(self, request, obj=None):
        kind = self.kind or (obj.kind if obj else None)
        fieldsets = [
            (
                None,
                {"fields": ["computed_id", LEAD_FIELD, "slug", "name", "summary", "description"]},
            ),
            (
                "Review",
                {"fields": ["kind", "status", "review_note", "withdrawn_reason", "published_at"]},
            ),
            (
                "Release and links",
                {
                    "fields": [
                        "release_date",
                        "version",
                        "homepage_url",
                        "repository_url",
                        "huggingface_repo_id",
                        "paper_url",
                    ]
                },
            ),
            ("License", {"fields": ["license_expression", "license_note", "license_flags"]}),
            ("Taxonomy", {"fields": ["tasks", "modalities", "languages", "tags"]}),
        ]
        if kind in KIND_FIELDS:
            title, fields = KIND_FIELDS[kind]
            fieldsets.append((title, {"fields": fields}))
        fieldsets.append(
            ("Curators' notes", {"fields": ["unverified", "notes"], "classes": ["collapse"]})
        )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("slug")  # the id is stable once registered
        return readonly

    def get_inlines(self, request, obj):
        kind = self.kind or (obj.kind if obj else None)
        inlines = KIND_INLINES.get(kind, [ContributorInline, RelationInline])
        return [*inlines[:1], SourceInline, *inlines[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        attributes = {"user": request.user, "admin_site": self.admin_site, "kind": self.kind}
        return type(form.__name__, (form,), attributes)

    def save_model(self, request, obj, form, change):
        lead = form.cleaned_data[LEAD_FIELD]
        if not change:
            obj.namespace = lead.slug
            obj.kind = self.kind or obj.kind
        else:
            # A history revert saves an old snapshot whole; the workflow's fields and the
            # computed ones stay as they are now, so a revert never moves the status.
            live = Artifact.objects.filter(pk=obj.pk).values(*KEPT_ON_SAVE).get()
            for field, value in live.items():
                setattr(obj, field, value)
        self.start_version(obj)  # written whole once the related rows are saved too
        with as_artifact(obj) as artifact:
            super().save_model(request, artifact, form, change)
            save_lead_and_licenses(artifact, lead)

    def delete_model(self, request, obj):
        with as_artifact(obj) as artifact:
            super().delete_model(request, artifact)

    def delete_view(self, request, object_id, extra_context=None):
        entry = self.get_object(request, unquote(object_id))  # 404 outside the user's rows
        if entry.status != ArtifactStatus.DRAFT and not is_curator(request.user):
            # Django would answer a bare "permission denied": say what to do instead.
            may_withdraw = WITHDRAW.permitted(entry, request.user)
            context = {
                **self.admin_site.each_context(request),
                "title": "Published entries are withdrawn, not deleted",
                "opts": self.opts,
                "entry": entry,
                "lead": entry.lead_organization,
                "may_withdraw": may_withdraw,
                "change_url": reverse(
                    f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                    args=[entry.pk],
                ),
            }
            return TemplateResponse(
                request, "admin/catalog/entry_not_deleted.html", context, status=403
            )
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, Artifact.objects.filter(pk__in=queryset.values("pk")))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for warning in derived_license_warnings(form.instance):
            messages.warning(request, warning)

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{opts.app_label}_{opts.model_name}_transition",
            ),
            *super().get_urls(),
        ]

    # -- derived, read-only columns and fields

    @admin.display(description="name", ordering=Lower("name"))
    def entry_name(self, obj):
        return obj.name  # sorted as people read: "AMD-OLMo" after "Adversarial"

    @admin.display(description="status")
    def status_label(self, obj):
        return obj.get_status_display()

    @admin.display(description="id")
    def computed_id(self, obj):
        return obj.repo_id if obj.pk else "(set from the lead organization and the slug)"

    @admin.display(description="lead organization")
    def lead(self, obj):
        return obj.lead_organization

    @admin.display(description="license flags")
    def license_flags(self, obj):
        licenses = list(obj.licenses.all()) if obj.pk else []
        if not licenses:
            return "No license recorded."

        def answer(value):
            return {True: "yes", False: "no", None: "unknown"}[value]

        return format_html_join(
            "",
            "<p><strong>{}</strong> ({}): commercial use {}, share-alike {}, "
            "attribution {}, use restrictions {}.</p>",
            (
                (
                    license.key,
                    license.category,
                    answer(license.commercial_use),
                    answer(license.share_alike),
                    answer(license.attribution),
                    answer(license.use_restrictions),
                )
                for license in licenses
            ),
        )

    @admin.display(description="openness class")
    def openness_summary(self, obj):
        if not obj.pk:
            return "Computed from the openness components once saved."
        assessment = assess_artifact(obj)
        if not assessment.next_class:
            return assessment.label
        missing = ", ".join(_component_label(c) for c in assessment.missing_for_next) or "nothing"
        return format_html(
            "{}<br>Missing for Class {} (released under an open license): {}.",
            assessment.label,
            assessment.next_class,
            missing,
        )


def _component_label(value: str) -> str:
    from catalog.models import Component

    return str(Component(value).label)


def _is_lineage_autocomplete(request) -> bool:
    return (
        request.path.endswith("/autocomplete/")
        and request.GET.get("app_label") == "catalog"
        and request.GET.get("model_name") == "relation"
        and request.GET.get("field_name") == "target"
    )


@admin.register(Artifact)
class AllEntriesAdmin(ArtifactAdmin):
    """Every kind together; entries are added in their kind's section."""


@admin.register(ModelEntry)
class ModelEntryAdmin(ArtifactAdmin):
    kind = ArtifactKind.MODEL
    list_filter = [f for f in ArtifactAdmin.list_filter if f != "kind"]


@admin.register(DatasetEntry)
class DatasetEntryAdmin(ArtifactAdmin):
    kind = ArtifactKind.DATASET
    list_filter = [f for f in ArtifactAdmin.list_filter if f not in ("kind", "openness_class")]


@admin.register(ToolEntry)
class ToolEntryAdmin(ArtifactAdmin):
    kind = ArtifactKind.TOOL
    list_filter = [f for f in ArtifactAdmin.list_filter if f not in ("kind", "openness_class")]
