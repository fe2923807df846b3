"""Forms of the curation admin: the messages say what is wrong and how to put it right."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models

from catalog.access import editing_organization_ids, is_curator
from catalog.licenses import LicenseExpressionError, parse_expression
from catalog.lineage import check_relation
from catalog.models import (
    Artifact,
    ContributionRole,
    License,
    OpennessComponent,
    Organization,
    Relation,
)

LEAD_FIELD = "lead_organization"


def lead_choices(user) -> forms.models.QuerySet:
    """The organizations `user` may name as lead: their admin/editor ones; all for curators."""
    if is_curator(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=editing_organization_ids(user))


def clean_expression(value: str) -> str:
    """The normalized expression, or a ValidationError naming the bad keys."""
    if not (value or "").strip():
        return ""
    try:
        return parse_expression(value).normalized
    except LicenseExpressionError as error:
        raise ValidationError(error.messages, code="invalid_license") from None


class LicenseKeyInput(forms.TextInput):
    """A text input that suggests the known license keys as the user types."""

    template_name = "admin/catalog/widgets/license_input.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = "catalog-license-keys"
        context["license_keys"] = License.objects.values_list("key", flat=True)
        return context


def https_url_fields(field, **kwargs):
    """Form fields for the model's fields; a link typed without a scheme reads as https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ArtifactForm(forms.ModelForm):
    """An entry; its lead organization and license are saved beside it by the admin."""

    lead_organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        help_text="The member that registers and maintains the entry; its slug starts the id.",
    )

    class Meta:
        model = Artifact
        # The status and notes change only through the workflow; licenses and the
        # organizations follow the expression and the lead, saved by the admin.
        fields = [
            f.name
            for f in Artifact._meta.get_fields()
            if getattr(f, "editable", False)
            and not f.auto_created
            and f.name
            not in {"id", "licenses", "status", "review_note", "withdrawn_reason", "organizations"}
        ]
        widgets = {"license_expression": LicenseKeyInput(attrs={"size": 60})}
        formfield_callback = https_url_fields

    # Set by the admin: the user, the admin site (for autocomplete) and the section's kind.
    user = None
    admin_site = None
    kind = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lead = self.fields[LEAD_FIELD]
        if self.admin_site is not None:
            lead.widget = AutocompleteSelect(
                Artifact._meta.get_field("organizations"), self.admin_site
            )
        lead.queryset = lead_choices(self.user)  # after the widget: it takes the choices
        if self.instance.pk is not None:
            lead.initial = (
                self.instance.contributions.filter(role=ContributionRole.LEAD)
                .values_list("organization_id", flat=True)
                .first()
            )
        elif self.kind:
            self.instance.kind = self.kind

    def clean_license_expression(self) -> str:
        return clean_expression(self.cleaned_data.get("license_expression", ""))

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get(LEAD_FIELD)
        slug = cleaned.get("slug", self.instance.slug)
        if lead is not None and slug and self.instance.pk is None:
            namespace = lead.slug
            if Artifact.objects.filter(namespace=namespace, slug=slug).exists():
                self.add_error(
                    "slug",
                    f"The id {namespace}/{slug} is taken; choose another name for this entry.",
                )
        return cleaned


class ContributorFormSet(forms.BaseInlineFormSet):
    """Contributing organizations; the lead is chosen on the entry itself."""

    def clean(self):
        super().clean()
        lead_id = self.data.get(LEAD_FIELD)
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            organization = form.cleaned_data.get("organization")
            if organization is not None and str(organization.pk) == str(lead_id):
                form.add_error(
                    "organization",
                    f"{organization} is the lead organization; it is not also listed as a "
                    "contributor.",
                )

    def save_new(self, form, commit=True):
        form.instance.role = ContributionRole.CONTRIBUTOR
        return super().save_new(form, commit)


class RelationForm(forms.ModelForm):
    """A lineage edge; `Relation.clean` checks kinds and cycles once the entry is saved."""

    class Meta:
        model = Relation
        fields = [
            "relation_type",
            "target",
            "external_name",
            "external_kind",
            "external_url",
            "note",
        ]
        formfield_callback = https_url_fields


class RelationFormSet(forms.BaseInlineFormSet):
    """The edges of an entry; those of a new entry are checked here, before it is saved."""

    def clean(self):
        super().clean()
        if self.instance.pk is not None:
            return  # each form's Relation.clean has checked its edge
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if not cleaned.get("relation_type") or cleaned.get("DELETE"):
                continue
            try:
                check_relation(
                    self.instance,
                    cleaned["relation_type"],
                    target=cleaned.get("target"),
                    external_kind=cleaned.get("external_kind", ""),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)


class OpennessComponentForm(forms.ModelForm):
    class Meta:
        model = OpennessComponent
        fields = ["component", "included", "license_expression", "location"]
        widgets = {"license_expression": LicenseKeyInput(attrs={"size": 40})}
        formfield_callback = https_url_fields

    def clean_license_expression(self) -> str:
        return clean_expression(self.cleaned_data.get("license_expression", ""))
