"""An entry's own rows in an API body, checked by the admin's own inline formsets.

Each list is the whole list: rows already there that the list names again stay as
they are (an unchanged list writes nothing and leaves no history), the others go, new
ones are added. The lists, as `GET` shows them back:

- `contributors`: `["nasa", "ibm"]`, contributing organizations by slug (the lead is
  `lead_organization`); they read back in `organizations` with the role `contributor`.
- `sources`: `["https://...", ...]`, the URLs that back the facts, in this order.
- `parameters` (models): `[{"name": "7B", "parameters": 7000000000,
  "active_parameters": null}]`, the sizes of a model family.
- `openness_components` (models): `[{"component": "model_card", "included": true,
  "license": "CC-BY-4.0", "unlicensed": false, "location": "https://..."}]`, what the
  Model Openness Framework counts (no license of its own: the entry's applies, unless
  `unlicensed`); they read back in `openness.components`, and the class follows.

`bind` turns such a list into the formset's POST data against the rows there now;
`catalog.api.edges` binds lineage edges the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.forms import BaseInlineFormSet, inlineformset_factory
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from catalog.admin.forms import (
    LEAD_FIELD,
    ContributorFormSet,
    OpennessComponentForm,
    https_url_fields,
)
from catalog.models import (
    Artifact,
    ArtifactKind,
    Contribution,
    ContributionRole,
    ModelVariant,
    OpennessComponent,
    Organization,
    Source,
)

MAX_ITEMS = 100
TOO_MANY = f"At most {MAX_ITEMS} items."


class ItemError(ValueError):
    """An item of a list that is not of the list's shape."""


def bind(
    formset_class: type[BaseInlineFormSet],
    artifact: Artifact,
    wanted: list[dict],
    existing: list,
    fields: tuple[str, ...],
    prefix: str,
    *,
    identity: tuple[str, ...] | None = None,
    data: dict | None = None,
) -> BaseInlineFormSet:
    """The formset bound to `wanted` (each item the form's values by field) over the
    `existing` rows. A row is the item with the same `identity` values (all `fields` when
    None): it takes the item's values, which changes it only if they differ; rows no
    item names are deleted; items no row is are added. `data` is more POST data."""
    identity = identity or fields

    def key(values: dict) -> tuple:
        return tuple(str("" if values[name] is None else values[name]) for name in identity)

    def post(form: str, values: dict) -> None:
        data.update({f"{form}-{name}": "" if v is None else v for name, v in values.items()})

    data = dict(data or {})
    unclaimed = {}  # key -> index of the first existing row with it
    for index, row in enumerate(existing):
        unclaimed.setdefault(key({n: row.serializable_value(n) for n in identity}), index)
    claimed, added = {}, []
    for values in wanted:
        index = unclaimed.pop(key(values), None)
        if index is None:
            added.append(values)  # a repeated item too: the formset says what is wrong
        else:
            claimed[index] = values
    for index, row in enumerate(existing):
        form = f"{prefix}-{index}"
        data[f"{form}-id"] = row.pk
        if index in claimed:
            post(form, claimed[index])
        else:
            post(form, {name: row.serializable_value(name) for name in fields})
            data[f"{form}-DELETE"] = "on"
    for offset, values in enumerate(added):
        post(f"{prefix}-{len(existing) + offset}", values)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(existing) + len(added))
    data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
    return formset_class(data=data, instance=artifact, prefix=prefix)


@dataclass(frozen=True)
class RowList:
    """One list of an entry's rows: its name in a body, the admin's formset for it, and
    how the body's items read as the form's values."""

    name: str
    model: type
    fields: tuple[str, ...]
    shape: str  # what an item looks like, for errors
    read_items: Callable[[list], list[dict]]  # raises ItemError with every bad item
    rows: Callable[[Artifact], object]  # the rows the list stands for
    formset_base: type[BaseInlineFormSet] = BaseInlineFormSet
    form: type | None = None
    identity: tuple[str, ...] = ()  # the fields that tell its rows apart
    # Field names the body says otherwise (the form's license_expression is "license").
    aliases: tuple[tuple[str, str], ...] = ()
    describe: Callable[[object], str] = str  # an item in errors, from its form's value
    kinds: tuple[str, ...] = ()  # the kinds that have it (all when empty)

    def formset(self) -> type[BaseInlineFormSet]:
        options = {"form": self.form} if self.form else {}
        return inlineformset_factory(
            Artifact,
            self.model,
            formset=self.formset_base,
            fields=self.fields,
            extra=0,
            can_delete=True,
            formfield_callback=https_url_fields,
            **options,
        )

    def bound(self, artifact: Artifact, items, lead_id: int | None = None):
        """The admin's formset over the entry's rows, bound to the body's list."""
        if not isinstance(items, list):
            raise ValidationError({self.name: [f"Send a list: {self.shape}."]})
        if len(items) > MAX_ITEMS:
            raise ValidationError({self.name: [TOO_MANY]})
        try:
            wanted = self.read_items(items)
        except ItemError as error:
            raise ValidationError({self.name: list(error.args)}) from None
        existing = list(self.rows(artifact).order_by("pk")) if artifact.pk else []
        return bind(
            self.formset(),
            artifact,
            wanted,
            existing,
            self.fields,
            self.name,
            identity=self.identity,
            data={LEAD_FIELD: lead_id or ""},  # ContributorFormSet checks it is not listed
        )

    def errors(self, formset) -> dict:
        """{name: ["<item>: <field>: <message>", ...]} for a formset that is not valid."""
        messages = []
        aliases = dict(self.aliases)
        for form, errors in zip(formset.forms, formset.errors, strict=True):
            item = self.describe(form[self.fields[0]].value())
            for field, texts in errors.items():
                where = (
                    "" if field in ("__all__", self.fields[0]) else f"{aliases.get(field, field)}: "
                )
                messages.extend(f"{item}: {where}{text}" for text in texts)
        messages.extend(str(text) for text in formset.non_form_errors())
        return {self.name: messages}


def _each(items: list, read: Callable[[object, int], dict]) -> list[dict]:
    values, errors = [], []
    for number, item in enumerate(items, 1):
        try:
            values.append(read(item, number))
        except ItemError as error:
            errors.append(f"Item {number}: {error.args[0]}")
    if errors:
        raise ItemError(*errors)
    return values


def _read_contributors(items: list) -> list[dict]:
    slugs = [item for item in items if isinstance(item, str)]
    found = dict(Organization.objects.filter(slug__in=slugs).values_list("slug", "pk"))

    def read(item, number):
        if not isinstance(item, str):
            raise ItemError("send an organization's slug.")
        if item not in found:
            raise ItemError(f"no organization '{item}'. See /api/v1/organizations/.")
        return {"organization": found[item]}

    return _each(items, read)


def _read_sources(items: list) -> list[dict]:
    def read(item, number):
        if not isinstance(item, str):
            raise ItemError("send a URL.")
        return {"url": item, "position": number - 1}

    return _each(items, read)


def _object(item, known: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(item, dict):
        raise ItemError(f"send an object with {', '.join(known)}.")
    unknown = sorted(set(item) - set(known))
    if unknown:
        raise ItemError(f"unknown field {', '.join(unknown)}; the fields: {', '.join(known)}.")
    missing = [name for name in required if name not in item]
    if missing:
        raise ItemError(f"give {', '.join(missing)}.")
    return item


def _read_parameters(items: list) -> list[dict]:
    known = ("name", "parameters", "active_parameters")

    def read(item, number):
        item = _object(item, known, required=("name", "parameters"))
        return {name: item.get(name) for name in known}

    return _each(items, read)


def _read_openness(items: list) -> list[dict]:
    known = ("component", "included", "license", "unlicensed", "location")

    def read(item, number):
        item = _object(item, known, required=("component",))
        included = item.get("included", True)
        unlicensed = item.get("unlicensed", False)
        for name, value in (("included", included), ("unlicensed", unlicensed)):
            if not isinstance(value, bool):
                raise ItemError(f"{name} is true or false.")
        return {
            "component": item["component"],
            "included": included,
            "license_expression": item.get("license", ""),
            "unlicensed": unlicensed,
            "location": item.get("location", ""),
        }

    return _each(items, read)


CONTRIBUTORS = RowList(
    name="contributors",
    model=Contribution,
    fields=("organization",),
    shape='["nasa", "ibm"], organizations by slug',
    identity=("organization",),
    read_items=_read_contributors,
    rows=lambda artifact: artifact.contributions.filter(role=ContributionRole.CONTRIBUTOR),
    formset_base=ContributorFormSet,
    describe=lambda pk: (
        Organization.objects.filter(pk=pk).values_list("slug", flat=True).first() or str(pk)
    ),
)
SOURCES = RowList(
    name="sources",
    model=Source,
    fields=("url", "position"),
    shape='["https://..."], in order',
    identity=("url",),
    read_items=_read_sources,
    rows=lambda artifact: artifact.sources.all(),
)
PARAMETERS = RowList(
    name="parameters",
    model=ModelVariant,
    fields=("name", "parameters", "active_parameters"),
    shape='[{"name": "7B", "parameters": 7000000000, "active_parameters": null}]',
    identity=("name",),
    read_items=_read_parameters,
    rows=lambda artifact: artifact.variants.all(),
    kinds=(ArtifactKind.MODEL,),
)
OPENNESS_COMPONENTS = RowList(
    name="openness_components",
    model=OpennessComponent,
    fields=("component", "included", "license_expression", "unlicensed", "location"),
    shape=(
        '[{"component": "model_card", "included": true, "license": "...", '
        '"unlicensed": false, "location": "..."}]'
    ),
    identity=("component",),
    read_items=_read_openness,
    rows=lambda artifact: artifact.openness_components.all(),
    form=OpennessComponentForm,
    kinds=(ArtifactKind.MODEL,),
    aliases=(("license_expression", "license"),),
)
ROW_LISTS = {
    row_list.name: row_list for row_list in (CONTRIBUTORS, SOURCES, PARAMETERS, OPENNESS_COMPONENTS)
}


# -- for the OpenAPI schema (the admin's formsets validate the lists) --------------------


class VariantWriteSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="e.g. 7B or 1B-A400M.")
    parameters = serializers.IntegerField(min_value=1)
    active_parameters = serializers.IntegerField(
        required=False, allow_null=True, help_text="Mixture-of-experts models: active per token."
    )


class OpennessComponentWriteSerializer(serializers.Serializer):
    component = serializers.ChoiceField(
        choices=OpennessComponent._meta.get_field("component").choices
    )
    included = serializers.BooleanField(required=False, default=True, help_text="Is it released?")
    license = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The component's own license (SPDX expression); empty: the entry's applies.",
    )
    unlicensed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Its source says it carries no license: the entry's license does not apply.",
    )
    location = serializers.URLField(required=False, allow_blank=True)
