"""Changing an entry over the API: `PATCH`, `PUT` and `DELETE /api/v1/artifacts/<org>/<slug>/`.

The body is validated by the admin's own form (`catalog.admin.forms.ArtifactForm`):
the SPDX expression, the release date, URLs, kind-specific fields and the model's
constraints are checked once, in one place, for both. The entry is saved the way the
admin saves it: the workflow's and computed fields kept as they are, the lead and the
linked licenses through `save_lead_and_licenses`, and one history version for the whole
write (`OneVersionPerSave`), naming the user and the token.

Bodies use the form's names (`license_expression`, `release_date` as "2024-05",
`tasks` as slugs, `lead_organization` as a slug). A field the API computes or only the
workflow sets (`status`, `published_at`, `openness_class`, `license`, `created_at`, ...)
answers 400 naming it, as does a field it does not know; nothing is applied then.

- `PATCH` changes the fields sent and keeps the others.
- `PUT` replaces the entry's fields: one left out is emptied (a required one is a 400).
- `DELETE` removes a draft; what the public has seen is withdrawn instead (409).
"""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict, modelform_factory
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.admin.artifacts import KEPT_ON_SAVE, KIND_FIELDS, save_lead_and_licenses
from catalog.admin.forms import ArtifactForm
from catalog.admin.versions import OneVersionPerSave
from catalog.api.authentication import request_token
from catalog.api.edges import EdgeSerializer, bound_edges, edge_errors
from catalog.api.inlines import (
    CONTRIBUTORS,
    ROW_LISTS,
    OpennessComponentWriteSerializer,
    VariantWriteSerializer,
)
from catalog.api.preconditions import lead_organization_id
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    IdempotentRequest,
    Language,
    Modality,
    Organization,
    Tag,
    Task,
    TokenScope,
)
from catalog.models.roles import may_lead_for
from catalog.search.signals import refreshing_once

# The form's fields a write may set, with the rows a list or slug names.
TAXONOMY = {"tasks": Task, "modalities": Modality, "languages": Language, "tags": Tag}
JSON_FIELDS = ("formats", "programming_languages", "unverified")
WRITABLE = (
    "name",
    "summary",
    "description",
    "version",
    "release_date",
    "homepage_url",
    "repository_url",
    "huggingface_repo_id",
    "paper_url",
    "license_expression",
    "license_note",
    "architecture",
    "size_value",
    "size_unit",
    "formats",
    "tool_category",
    "programming_languages",
    "unverified",
    "notes",
    *TAXONOMY,
    "lead_organization",
)
READ_ONLY = {
    "id": "the id is `<lead organization>/<slug>`, fixed once registered",
    "namespace": "the id is fixed once registered",
    "slug": "the id is fixed once registered",
    "kind": "the kind is fixed once registered",
    "status": "the status changes only through the workflow (submit/, publish/, ...)",
    "review_note": "set by send-back/",
    "withdrawn_reason": "set by withdraw/",
    "published_at": "set when the entry is first published",
    "openness_class": "computed from the openness components",
    "license": "computed from license_expression; send that instead",
    "licenses": "computed from license_expression; send that instead",
    "organizations": "send lead_organization and contributors (slugs)",
    "openness": "computed from openness_components; send those",
    "derived_from": "send relations",
    "derivatives": "other entries' relations; change those entries",
    "dataset_size": "send size_value and size_unit",
    "released": "send release_date",
    "links": "send homepage_url, repository_url, huggingface_repo_id, paper_url",
    "url": "computed",
    "html_url": "computed",
    "created_at": "computed",
    "updated_at": "computed",
    "edit_count": "computed; it is the ETag",
    "search_document": "computed",
}
CREATABLE = ("slug", "kind", *WRITABLE)
# The admin shows each kind's own fields only (catalog.admin.artifacts.KIND_FIELDS).
KIND_OF_FIELD = {
    name: kind for kind, (_, names) in KIND_FIELDS.items() for name in names if name in WRITABLE
} | {name: row_list.kinds[0] for name, row_list in ROW_LISTS.items() if row_list.kinds}
OTHER_KIND = "Only {kinds} have this field."
READ_ONLY_FIELD = "This field is read-only: {why}."
UNKNOWN_FIELD = "Unknown field. The fields an entry takes: {fields}."
UNKNOWN_SLUG = "No {what} '{slug}'. See /api/v1/taxonomy/ for the known ones."
UNKNOWN_ORGANIZATION = "No organization '{slug}'. See /api/v1/organizations/."
NOT_A_LIST = "Send a list of slugs."
MAX_LIST_LENGTH = 100
TOO_MANY = f"At most {MAX_LIST_LENGTH} items."
NOT_A_DRAFT = (
    "{artifact} is {status}; only drafts are deleted. What the public has seen is "
    "withdrawn instead (withdraw/)."
)
MAY_NOT_CREATE = "You may not register entries for {organization}: only its editors and admins may."
MAY_NOT_EDIT = "You may not change {artifact}: only its organizations' editors and curators may."
SCOPE_MISSING = (
    "This token may not change {artifact}: it needs the 'write' scope for the entry's "
    "lead organization (and for a new lead organization)."
)


def check_fields(data: dict, writable: tuple[str, ...], kind: str) -> None:
    """400 for every field the body may not set, before anything is applied."""
    errors = {}
    for name in data:
        owner = KIND_OF_FIELD.get(name)
        if owner is not None and kind in ArtifactKind.values and owner != kind:
            errors[name] = [OTHER_KIND.format(kinds=ArtifactKind(owner).label.lower() + "s")]
            continue
        if name in writable or name == "relations" or name in ROW_LISTS:
            continue
        if name in READ_ONLY:
            errors[name] = [READ_ONLY_FIELD.format(why=READ_ONLY[name])]
        else:
            errors[name] = [UNKNOWN_FIELD.format(fields=", ".join(writable))]
    if errors:
        raise ValidationError(errors)


def form_data(data: dict) -> dict:
    """The JSON body in the form's terms: slugs to primary keys."""
    converted = dict(data)
    errors = {}
    for name, model in TAXONOMY.items():
        if name not in data:
            continue
        slugs = data[name]
        if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
            errors[name] = [NOT_A_LIST]
            continue
        if len(slugs) > MAX_LIST_LENGTH:
            errors[name] = [TOO_MANY]
            continue
        found = dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        missing = [s for s in slugs if s not in found]
        if missing:
            what = str(model._meta.verbose_name)
            errors[name] = [UNKNOWN_SLUG.format(what=what, slug=slug) for slug in missing]
            continue
        converted[name] = [found[s] for s in slugs]
    if "lead_organization" in data:
        slug = data["lead_organization"]
        pk = Organization.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if not isinstance(slug, str) or pk is None:
            errors["lead_organization"] = [UNKNOWN_ORGANIZATION.format(slug=slug)]
        else:
            converted["lead_organization"] = pk
    for name in ("formats", "programming_languages"):
        if isinstance(data.get(name), list) and len(data[name]) > MAX_LIST_LENGTH:
            errors[name] = [TOO_MANY]
    for name in JSON_FIELDS:
        if name in converted:  # the form reads JSON text, as the admin posts it
            converted[name] = json.dumps(converted[name])
    if errors:
        raise ValidationError(errors)
    return converted


def current_form_data(artifact: Artifact) -> dict:
    """What the admin's change form would post for the entry as it is."""
    data = model_to_dict(artifact, fields=[f for f in WRITABLE if f not in TAXONOMY])
    for name in TAXONOMY:
        data[name] = list(getattr(artifact, name).values_list("pk", flat=True))
    for name in JSON_FIELDS:
        data[name] = json.dumps(data[name])
    data["release_date"] = artifact.released_display
    data["lead_organization"] = lead_organization_id(artifact)
    return {key: "" if value is None else value for key, value in data.items()}


def hidden_initials(artifact: Artifact) -> dict:
    """What the admin's form posts beside its JSON fields: their value as the form was
    shown (Django keeps it for fields with a callable default, to tell a change)."""
    return {f"initial-{name}": json.dumps(getattr(artifact, name)) for name in JSON_FIELDS}


def empty_form_data() -> dict:
    data = dict.fromkeys(WRITABLE, "")
    data.update({name: [] for name in TAXONOMY})
    data.update({"formats": "[]", "programming_languages": "[]", "unverified": "{}"})
    return data


class EntryChangeSerializer(serializers.Serializer):
    """The body of PATCH and PUT (for the schema; the admin's form validates it)."""

    name = serializers.CharField(required=False, max_length=200)
    summary = serializers.CharField(required=False, max_length=300, help_text="One sentence.")
    description = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    version = serializers.CharField(required=False, allow_blank=True, max_length=64)
    release_date = serializers.CharField(
        required=False, allow_blank=True, help_text="2024, 2024-05 or 2024-05-17."
    )
    homepage_url = serializers.URLField(required=False, allow_blank=True)
    repository_url = serializers.URLField(required=False, allow_blank=True)
    huggingface_repo_id = serializers.CharField(
        required=False, allow_blank=True, help_text="e.g. ibm-granite/granite-3.0-8b"
    )
    paper_url = serializers.URLField(required=False, allow_blank=True)
    license_expression = serializers.CharField(
        required=False, allow_blank=True, help_text="An SPDX expression: Apache-2.0 AND MIT."
    )
    license_note = serializers.CharField(required=False, allow_blank=True)
    architecture = serializers.CharField(required=False, allow_blank=True, help_text="Models.")
    size_value = serializers.DecimalField(
        required=False, allow_null=True, max_digits=20, decimal_places=2, help_text="Datasets."
    )
    size_unit = serializers.CharField(required=False, allow_blank=True, help_text="Datasets.")
    formats = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Datasets."
    )
    tool_category = serializers.CharField(required=False, allow_blank=True, help_text="Tools.")
    programming_languages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Tools."
    )
    unverified = serializers.DictField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    tasks = serializers.ListField(child=serializers.SlugField(), required=False)
    modalities = serializers.ListField(child=serializers.SlugField(), required=False)
    languages = serializers.ListField(child=serializers.SlugField(), required=False)
    tags = serializers.ListField(child=serializers.SlugField(), required=False)
    lead_organization = serializers.SlugField(
        required=False, help_text="The lead organization's slug."
    )
    relations = EdgeSerializer(
        many=True,
        required=False,
        help_text="Lineage: the whole list of the entry's outgoing edges you can see.",
    )
    contributors = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        help_text="The contributing organizations' slugs (the lead is lead_organization).",
    )
    sources = serializers.ListField(
        child=serializers.URLField(), required=False, help_text="The URLs that back the facts."
    )
    parameters = VariantWriteSerializer(
        many=True, required=False, help_text="Models: the sizes of the model family."
    )
    openness_components = OpennessComponentWriteSerializer(
        many=True,
        required=False,
        help_text="Models: the Model Openness Framework's components; the class follows.",
    )


class EntryCreateSerializer(EntryChangeSerializer):
    """The body of POST (for the schema; the admin's form validates it)."""

    slug = serializers.CharField(help_text="The entry's own part of its id: granite-4.")
    kind = serializers.ChoiceField(choices=ArtifactKind.choices)
    name = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=300, help_text="One sentence.")
    lead_organization = serializers.SlugField(help_text="The lead organization's slug.")


class EntryChanges:
    """POST, PATCH, PUT and DELETE for ArtifactViewSet (see catalog.api.views)."""

    def create_entry(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        token = request_token(request)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError({"Idempotency-Key": [KEY_TOO_LONG]})
        digest = request_digest(request)
        with transaction.atomic():
            if key:
                first = first_answer(token, key, digest) or claim(token, key, digest)
                if first is not None:
                    return first
            kind = request.data.get("kind")
            check_fields(request.data, CREATABLE, kind)
            lead = request.data.get("lead_organization")
            lead_pk = Organization.objects.filter(slug=lead).values_list("pk", flat=True).first()
            if isinstance(lead, str) and lead_pk is not None:
                if not may_lead_for(request.user, lead_pk):
                    raise PermissionDenied(MAY_NOT_CREATE.format(organization=lead))
                if not token.allows(TokenScope.WRITE, lead_pk):
                    raise PermissionDenied(SCOPE_MISSING.format(artifact=lead))
            data = {**empty_form_data(), "slug": "", "kind": ""}
            data.update(form_data(request.data))
            form = entry_form(request.user, creating=True)(data=data, instance=Artifact())
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            edges = checked_edges(request, form.instance, partial=True)
            lists = checked_lists(request, form, partial=True)
            artifact = save_entry(form, request, token, creating=True, edges=edges, lists=lists)
            response = self.entry_response(request, artifact, status.HTTP_201_CREATED)
            response["Location"] = response.data["url"]
            if key:
                remember_answer(token, key, digest, response)
        return response

    def change_entry(self, request: Request, namespace: str, slug: str, *, partial: bool):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        token = request_token(request)
        with transaction.atomic():
            artifact = self.locked_entry(request, namespace, slug)
            self.check_may_change(request, artifact, token)
            stale = self.stale_response(request, artifact)
            if stale is not None:
                return stale
            check_fields(request.data, WRITABLE, artifact.kind)
            data = current_form_data(artifact) if partial else empty_form_data()
            if not partial:
                data["lead_organization"] = lead_organization_id(artifact)
            data.update(form_data(request.data))
            data.update(hidden_initials(artifact))
            form = entry_form(request.user)(data=data, instance=artifact)
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            lead = form.cleaned_data["lead_organization"]
            if not token.allows(TokenScope.WRITE, lead):
                raise PermissionDenied(SCOPE_MISSING.format(artifact=lead.slug))
            edges = checked_edges(request, artifact, partial=partial)
            lists = checked_lists(request, form, partial=partial)
            save_entry(form, request, token, edges=edges, lists=lists)
        return self.entry_response(request, artifact)

    def delete_entry(self, request: Request, namespace: str, slug: str) -> Response:
        token = request_token(request)
        with transaction.atomic():
            artifact = self.locked_entry(request, namespace, slug)
            self.check_may_change(request, artifact, token)
            stale = self.stale_response(request, artifact)
            if stale is not None:
                return stale
            if artifact.status != ArtifactStatus.DRAFT:
                return Response(
                    {
                        "detail": NOT_A_DRAFT.format(
                            artifact=artifact, status=ArtifactStatus(artifact.status).label.lower()
                        )
                    },
                    status=status.HTTP_409_CONFLICT,
                    headers={"ETag": artifact.etag},
                )
            artifact._history_user = request.user
            artifact._history_api_token = token
            artifact._change_reason = "Deleted over the API"
            artifact.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

    def check_may_change(self, request: Request, artifact: Artifact, token) -> None:
        if not Artifact.objects.editable_by(request.user).filter(pk=artifact.pk).exists():
            raise PermissionDenied(MAY_NOT_EDIT.format(artifact=artifact))
        if not token.allows(TokenScope.WRITE, lead_organization_id(artifact)):
            raise PermissionDenied(SCOPE_MISSING.format(artifact=artifact))


def entry_form(user, *, creating: bool = False) -> type[ArtifactForm]:
    """The admin's form with the fields its add (or an entry's change) form has."""
    names = CREATABLE if creating else WRITABLE
    fields = [name for name in names if name not in ArtifactForm.declared_fields]
    form = modelform_factory(Artifact, form=ArtifactForm, fields=fields)
    return type("ApiArtifactForm", (form,), {"user": user})


def form_errors(form: ArtifactForm) -> dict:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


def checked_edges(request: Request, artifact: Artifact, *, partial: bool):
    """The lineage formset for the body's `relations`, validated; None when PATCH or
    POST leaves them out (PUT without them removes the edges its writer can see)."""
    if "relations" not in request.data and partial:
        return None
    formset = bound_edges(artifact, request.data.get("relations", []), request.user)
    if not formset.is_valid():
        raise ValidationError(edge_errors(formset))
    return formset


def checked_lists(request: Request, form: ArtifactForm, *, partial: bool) -> dict:
    """The admin's inline formsets for the body's lists (`catalog.api.inlines`), by name,
    validated. PATCH and POST bind only the lists sent (and the contributors when the
    lead changes, so the new lead is not also a contributor); PUT binds every list its
    kind has, so one left out is emptied."""
    artifact = form.instance
    kind = artifact.kind
    lead = form.cleaned_data["lead_organization"]
    formsets, errors = {}, {}
    for name, row_list in ROW_LISTS.items():
        if row_list.kinds and kind not in row_list.kinds:
            continue
        if name in request.data:
            items = request.data[name]
        elif not partial:
            items = []
        elif row_list is CONTRIBUTORS and artifact.pk and "lead_organization" in form.changed_data:
            items = list(CONTRIBUTORS.rows(artifact).values_list("organization__slug", flat=True))
        else:
            continue
        formset = row_list.bound(artifact, items, lead_id=lead.pk)
        if formset.is_valid():
            formsets[name] = formset
        else:
            errors.update(row_list.errors(formset))
    if errors:
        raise ValidationError(errors)
    return formsets


def save_lists(artifact: Artifact, lead, lists: dict) -> None:
    """The lead, then the lists; the contributors that go are removed first, so that
    one of them may become the lead in the same write."""
    contributors = lists.get(CONTRIBUTORS.name)
    if contributors is not None:
        contributors.instance = artifact
        kept = contributors.save(commit=False)
        for contribution in contributors.deleted_objects:
            contribution.delete()
    save_lead_and_licenses(artifact, lead)
    if contributors is not None:
        for contribution in kept:
            contribution.save()
    for name, formset in lists.items():
        if name != CONTRIBUTORS.name:
            formset.instance = artifact
            formset.save()


def save_entry(
    form: ArtifactForm,
    request: Request,
    token,
    *,
    creating: bool = False,
    edges=None,
    lists: dict | None = None,
):
    """Save as the admin's form does: one version, the workflow's fields kept, and the
    search document written once, at the end."""
    with refreshing_once():
        return _save_entry(form, request, token, creating=creating, edges=edges, lists=lists)


def _save_entry(form, request, token, *, creating, edges, lists):
    lists = lists or {}
    versions = OneVersionPerSave()
    artifact = form.save(commit=False)
    lead = form.cleaned_data["lead_organization"]
    if creating:
        artifact.namespace = lead.slug
    else:
        live = Artifact.objects.filter(pk=artifact.pk).values(*KEPT_ON_SAVE).get()
        for field, value in live.items():
            setattr(artifact, field, value)
    versions.start_version(artifact)
    artifact._history_api_token = token
    artifact.save()
    form.save_m2m()
    save_lists(artifact, lead, lists)
    if edges is not None:
        edges.instance = artifact
        edges.save()
    changed_lists = [name for name, formset in lists.items() if formset.has_changed()]
    if edges is not None and edges.has_changed():
        changed_lists.append("relations")
    changed = ", ".join(sorted(form.changed_data + changed_lists)) or "nothing"
    reason = "Added over the API" if creating else f"Changed over the API: {changed}"[:100]
    versions.write_version(request, artifact, reason, added=creating)
    if creating:  # write_version marks the version as the creation; say how it came
        Artifact.history.filter(id=artifact.pk).update(history_change_reason=reason)
    return artifact


# -- Idempotency-Key --------------------------------------------------------------------

MAX_KEY_LENGTH = 255
KEY_TOO_LONG = f"At most {MAX_KEY_LENGTH} characters."
KEY_REUSED = (
    "This Idempotency-Key came first with another request; use a new key for a new request."
)


def request_digest(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def first_answer(token, key: str, digest: str) -> Response | None:
    """The answer the key first got, if any (a different request with it is a 422).
    On PostgreSQL a retry racing the first request waits here for it to commit."""
    first = IdempotentRequest.objects.select_for_update().filter(token=token, key=key).first()
    if first is None:
        return None
    if first.request_digest != digest:
        return Response(
            {"Idempotency-Key": [KEY_REUSED]}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
        )
    return Response(
        first.body,
        status=first.status_code,
        headers={**first.headers, "Idempotent-Replayed": "true"},
    )


def claim(token, key: str, digest: str) -> Response | None:
    """Hold the key for this request, inside its transaction: a retry sent while the
    first is still running waits on the key's unique index (PostgreSQL; SQLite runs
    one write transaction at a time anyway) and then gets the first answer. Only a
    request that succeeds keeps its key: a refused one rolls back, key and all."""
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(
                token=token, key=key, request_digest=digest, status_code=0, body={}
            )
    except IntegrityError:
        return first_answer(token, key, digest)
    return None


def remember_answer(token, key: str, digest: str, response: Response) -> None:
    IdempotentRequest.objects.filter(token=token, key=key).update(
        status_code=response.status_code,
        body=json.loads(json.dumps(response.data, default=str)),
        headers={
            name: response[name] for name in ("ETag", "Location") if response.has_header(name)
        },
    )
