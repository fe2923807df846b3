"""Forms of the curation admin: the messages say what is wrong and how to put it right."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models

from catalog.licenses import LicenseExpressionError, normalized_expression
from catalog.lineage import check_relation
from catalog.models import (
    Artifact,
    ContributionRole,
    DatePrecision,
    License,
    OpennessComponent,
    Organization,
    Relation,
)
from catalog.models.roles import editing_organization_ids, is_curator

LEAD_FIELD = "lead_organization"
RELEASE_FIELD = "release_date"
RELEASE_DATE_FORMS = "a year (2024), a month (2024-10) or a day (2024-10-05)"
RELEASE_DATE_ERROR = f"Enter the release date as {RELEASE_DATE_FORMS}."
_RELEASE_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?")


def parse_release_date(text: str) -> tuple[datetime.date | None, str]:
    """`2024`, `2024-10` or `2024-10-05` as (date, precision); ("", None) when empty.

    The precision follows what was typed: a year is stored as its first of January,
    a month as its first day, with the precision saying how much of it is known.
    """
    text = (text or "").strip()
    if not text:
        return None, ""
    match = _RELEASE_DATE.fullmatch(text)
    if match is None:
        raise ValidationError(RELEASE_DATE_ERROR, code="invalid_release_date")
    year, month, day = match["year"], match["month"], match["day"]
    try:
        released_on = datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValidationError(
            f"{text} is not a date in the calendar. {RELEASE_DATE_ERROR}",
            code="invalid_release_date",
        ) from None
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    return released_on, precision


class ReleaseDateField(forms.CharField):
    """One field for the release date and its precision, as people write dates."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Release date")
        kwargs.setdefault(
            "help_text",
            f"The first public release, as precisely as it is known: {RELEASE_DATE_FORMS}.",
        )
        kwargs.setdefault("widget", forms.TextInput(attrs={"size": 10}))
        super().__init__(**kwargs)

    def clean(self, value):
        return parse_release_date(super().clean(value))


def lead_choices(user) -> forms.models.QuerySet:
    """The organizations `user` may name as lead: their admin/editor ones; all for curators."""
    if is_curator(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=editing_organization_ids(user))


def clean_expression(value: str) -> str:
    """The normalized expression, or a ValidationError naming the bad keys."""
    try:
        return normalized_expression(value)
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
    release_date = ReleaseDateField()

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
            not in {
                "id",
                "licenses",
                "status",
                "review_note",
                "withdrawn_reason",
                "organizations",
                # typed as one release date, whose form sets the precision
                "released_on",
                "release_precision",
            }
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
        else:
            if self.kind:
                self.instance.kind = self.kind
            own = editing_organization_ids(self.user) if not is_curator(self.user) else ()
            if len(own) == 1:
                # A member of one organization registers for it; nothing to choose.
                lead.initial = next(iter(own))
        self.fields[RELEASE_FIELD].initial = self.instance.released_display

    def clean_license_expression(self) -> str:
        return clean_expression(self.cleaned_data.get("license_expression", ""))

    def clean(self):
        cleaned = super().clean()
        if RELEASE_FIELD in cleaned:
            # Set before the model's own validation, which checks date and precision agree.
            self.instance.released_on, self.instance.release_precision = cleaned[RELEASE_FIELD]
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
    """A lineage edge; `Relation.clean` checks the kinds it joins, the formset its cycles."""

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
    """The edges of an entry, each checked against the whole graph for cycles.

    A new entry's edges are checked here for their kinds too: `Relation.clean` cannot,
    before the entry is saved.
    """

    def clean(self):
        super().clean()
        for form in self.forms:
            cleaned = getattr(form, "cleaned_data", None) or {}
            if not cleaned.get("relation_type") or cleaned.get("DELETE") or form.errors:
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
        fields = ["component", "included", "license_expression", "unlicensed", "location"]
        widgets = {"license_expression": LicenseKeyInput(attrs={"size": 40})}
        formfield_callback = https_url_fields

    def clean_license_expression(self) -> str:
        return clean_expression(self.cleaned_data.get("license_expression", ""))
