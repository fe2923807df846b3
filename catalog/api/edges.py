"""An entry's lineage edges in an API body, checked by the admin's own inline formset.

`"relations": [{"type": "fine_tuned_from", "artifact": "meta/llama-2"},
{"type": "trained_on", "external": {"name": "The Pile", "kind": "dataset", "url": "..."}}]`
is the whole list of the entry's outgoing edges the writer can see: edges already there
stay, edges not in the list go, new ones are added. Kinds and cycles are checked by
`RelationForm` / `RelationFormSet` (`catalog.lineage.check_relation`), as in the admin;
edges to entries the writer cannot see are neither shown nor touched.
"""

from __future__ import annotations

from django.forms import inlineformset_factory
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from catalog.admin.forms import RelationForm, RelationFormSet
from catalog.api.inlines import bind
from catalog.models import Artifact, Relation

MAX_EDGES = 100
FIELDS = ("relation_type", "target", "external_name", "external_kind", "external_url", "note")
NOT_A_LIST = (
    "Send a list of edges: {'type': ..., 'artifact': 'org/slug'} or "
    "{'type': ..., 'external': {'name': ..., 'kind': ..., 'url': ...}}."
)
BAD_EDGE = (
    "Edge {number}: give 'type' and either 'artifact' (an id) or 'external' (name, kind, url)."
)
UNKNOWN_TARGET = "Edge {number}: no entry '{target}' that you can see."
TOO_MANY = f"At most {MAX_EDGES} edges."
PREFIX = "relations"


class ExternalWorkSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    url = serializers.URLField(required=False, allow_blank=True)


class EdgeSerializer(serializers.Serializer):
    """One lineage edge in a body (for the schema; the admin's formset validates it)."""

    type = serializers.CharField(help_text="fine_tuned_from, trained_on, ...")
    artifact = serializers.CharField(required=False, help_text="An entry's id: org/slug.")
    external = ExternalWorkSerializer(required=False, help_text="A work not in the catalog.")
    note = serializers.CharField(required=False, allow_blank=True)


def edge_formset(user):
    formset = inlineformset_factory(
        Artifact,
        Relation,
        form=RelationForm,
        formset=RelationFormSet,
        fk_name="source",
        fields=FIELDS,
        extra=0,
        can_delete=True,
    )

    class EdgeFormSet(formset):
        def get_queryset(self):
            return super().get_queryset().visible_to(user).order_by("pk")

        def add_fields(self, form, index):
            super().add_fields(form, index)
            form.fields["target"].queryset = Artifact.objects.visible_to(user)

    return EdgeFormSet


def _wanted(edges, user) -> list[dict]:
    """The body's edges as the form's fields, targets found among what `user` sees."""
    if not isinstance(edges, list):
        raise ValidationError({"relations": [NOT_A_LIST]})
    if len(edges) > MAX_EDGES:
        raise ValidationError({"relations": [TOO_MANY]})
    ids = {e.get("artifact") for e in edges if isinstance(e, dict) and e.get("artifact")}
    visible = Artifact.objects.visible_to(user)
    found = {}
    for namespace_slug in ids:
        if isinstance(namespace_slug, str) and namespace_slug.count("/") == 1:
            namespace, slug = namespace_slug.split("/")
            pk = visible.filter(namespace=namespace, slug=slug).values_list("pk", flat=True)
            found.update({namespace_slug: pk[0]} if pk else {})
    wanted, errors = [], []
    for number, edge in enumerate(edges, 1):
        external = edge.get("external") if isinstance(edge, dict) else None
        if (
            not isinstance(edge, dict)
            or not isinstance(edge.get("type"), str)
            or bool(edge.get("artifact")) == bool(external)
            or (external is not None and not isinstance(external, dict))
        ):
            errors.append(BAD_EDGE.format(number=number))
            continue
        if edge.get("artifact") and edge["artifact"] not in found:
            errors.append(UNKNOWN_TARGET.format(number=number, target=edge["artifact"]))
            continue
        external = external or {}
        wanted.append(
            {
                "relation_type": edge["type"],
                "target": found.get(edge.get("artifact"), ""),
                "external_name": str(external.get("name", "")),
                "external_kind": str(external.get("kind", "")),
                "external_url": str(external.get("url", "")),
                "note": str(edge.get("note", "")),
            }
        )
    if errors:
        raise ValidationError({"relations": errors})
    return wanted


def bound_edges(artifact: Artifact, edges, user):
    """The admin's formset over the entry's edges, bound to what the body asks."""
    formset_class = edge_formset(user)
    wanted = _wanted(edges, user)
    existing = list(formset_class(instance=artifact).get_queryset()) if artifact.pk else []
    return bind(formset_class, artifact, wanted, existing, FIELDS, PREFIX)


def edge_errors(formset) -> dict:
    """{"relations": ["Edge fine_tuned_from org/slug: ..."]}: each bad edge by what it is."""
    messages = []
    for form, errors in zip(formset.forms, formset.errors, strict=True):
        if not errors:
            continue
        target = form["target"].value()
        label = Artifact.objects.filter(pk=target).first() if target else None
        what = f"{form['relation_type'].value()} {label or form['external_name'].value()}"
        for field, texts in errors.items():
            name = "" if field == "__all__" else f"{field}: "
            messages.extend(f"Edge {what}: {name}{text}" for text in texts)
    messages.extend(str(text) for text in formset.non_form_errors())
    return {"relations": messages}
