"""The Hugging Face Hub's read API, so that `huggingface_hub` and `hf` read the catalog.

    HfApi(endpoint="https://catalog.example.org").list_models(search="granite", author="ibm")
    HF_ENDPOINT=https://catalog.example.org hf models info meta/llama-2

Routes (catalog/protocols/huggingface_urls.py), no trailing slash, never a redirect:
`GET /api/models`, `/api/models/<id>`, `/api/models/<id>/revision/main`, and the same
under `/api/datasets`. An entry's id is its catalog id (`meta/llama-2`), which has the
Hub's repo-id shape. Tools are neither models nor datasets, and not listed here (see
docs/integrations.md).

Lists run `run_search`, the search of `/api/v1/artifacts/`, with the Hub's parameters
read as the catalog's (huggingface_question.py); they answer a bare JSON array and an
absolute `Link: <...>; rel="next"` carrying every parameter. Details read
`Artifact.objects.visible_to(user)`, as `/api/v1/` does. Both build their documents from
the entries' stored result cards (catalog.search.cards), as `/api/v1/`'s lists do. The
JSON has the Hub's keys the catalog has facts for, and leaves out the others (downloads,
likes, files, commit): no number is invented. Errors are the Hub's: `{"error": ...}`, and
a missing entry is 404 with `X-Error-Code: RepoNotFound`, which the client raises as
RepositoryNotFoundError.
A Hugging Face token sent along (`Bearer hf_...`) is not ours: the request reads as
anonymous (catalog.api.authentication).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.pagination import links
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Relation,
    RelationType,
)
from catalog.protocols.huggingface_question import (
    BadQuestion,
    NothingMatches,
    Question,
    hub_parameter,
    read_question,
)
from catalog.search.cards import stored_cards
from catalog.search.query import run_search

REPO_NOT_FOUND = "Repository not found"
# The catalog keeps no commits: an entry has one revision, as it is now.
REVISION = "main"
BASE_MODEL_RELATIONS = (
    RelationType.FINE_TUNED_FROM,
    RelationType.QUANTIZED_FROM,
    RelationType.MERGED_FROM,
    RelationType.ADAPTER_OF,
    RelationType.DISTILLED_FROM,
)
LINEAGE_RELATIONS = (*BASE_MODEL_RELATIONS, RelationType.TRAINED_ON, RelationType.DERIVED_FROM)
# What a list answers without `full` (as the Hub's lists); `full` adds lastModified.
LIST_KEYS = frozenset({"id", "modelId", "author", "private", "tags", "pipeline_tag", "createdAt"})
DATASET_LIST_KEYS = LIST_KEYS | {"description"}


def hub_datetime(value: datetime.datetime | datetime.date | None) -> str | None:
    """The Hub's form, which its client parses strictly: `2024-01-02T03:04:05.000Z`.
    A date (a release date) reads as midnight UTC."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC)
    value = value.astimezone(datetime.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Edge:
    """A lineage edge into the catalog: its type and the target's id and kind."""

    type: str
    target: str
    kind: str


def hub_documents(ids: list[int], user) -> list[dict]:
    """The documents of the entries `ids`, in that order, in two statements whatever
    their number: their stored result cards (with the two dates a card does not keep),
    and their lineage into the catalog, only to what `user` may see (no draft leaks by
    name)."""
    entries = stored_cards(ids, "released_on", "updated_at")
    lineage: dict[int, list[Edge]] = defaultdict(list)
    edges = (
        Relation.objects.visible_to(user)
        .filter(source_id__in=ids, target__isnull=False, relation_type__in=LINEAGE_RELATIONS)
        .values_list(
            "source_id", "relation_type", "target__namespace", "target__slug", "target__kind"
        )
    )
    for source_id, relation_type, namespace, slug, kind in edges:
        lineage[source_id].append(Edge(relation_type, f"{namespace}/{slug}", kind))
    return [hub_document(*entries[pk], lineage[pk]) for pk in ids]


def _targets(lineage: list[Edge], *types: str, kind: str) -> list[str]:
    return [edge.target for edge in lineage if edge.type in types and edge.kind == kind]


def _one_or_many(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def hub_document(card: dict, dates: dict, lineage: list[Edge]) -> dict:
    """Every key the catalog can fill, in the Hub's names and shapes, from an entry's
    result card, its `released_on` and `updated_at`, and its lineage; empty keys left
    out."""
    is_model = card["kind"] == ArtifactKind.MODEL
    tasks, languages, free_tags = card["tasks"], card["languages"], card["tags"]
    license_keys = [part["key"].lower() for part in card["license"]["parts"]]
    lead = next((o["slug"] for o in card["organizations"] if o["role"] == "lead"), None)
    # The Hub's one main task; the catalog names none among several, so only a sole task.
    pipeline_tag = tasks[0] if is_model and len(tasks) == 1 else None
    if is_model:
        datasets = _targets(lineage, RelationType.TRAINED_ON, kind=ArtifactKind.DATASET)
        tags = [*free_tags, *tasks, *languages, *(f"dataset:{d}" for d in datasets)]
        card_data = {
            "model_name": card["name"],
            "base_model": _one_or_many(
                _targets(lineage, *BASE_MODEL_RELATIONS, kind=ArtifactKind.MODEL)
            ),
            "datasets": datasets,
            "pipeline_tag": pipeline_tag,
        }
    else:
        tags = [
            *free_tags,
            *(f"task_categories:{t}" for t in tasks),
            *(f"language:{code}" for code in languages),
            *(f"modality:{m}" for m in card["modalities"]),
        ]
        card_data = {
            "pretty_name": card["name"],
            "task_categories": tasks,
            "source_datasets": _targets(
                lineage, RelationType.DERIVED_FROM, kind=ArtifactKind.DATASET
            ),
        }
    tags += [f"license:{key}" for key in license_keys]
    card_data |= {
        # One license as the Hub writes it (`apache-2.0`); an expression as SPDX writes it.
        "license": license_keys[0] if len(license_keys) == 1 else card["license"]["expression"],
        "language": languages,
        "tags": free_tags,
    }
    document = {
        "id": card["id"],
        "modelId": card["id"] if is_model else None,
        "author": lead,
        "private": not ArtifactStatus(card["status"]).is_public,
        "tags": tags,
        "pipeline_tag": pipeline_tag,
        "createdAt": hub_datetime(dates["released_on"]),
        "lastModified": hub_datetime(dates["updated_at"]),
        "description": None if is_model else card["summary"],
        "cardData": {k: v for k, v in card_data.items() if v not in (None, "", [])},
    }
    return {key: value for key, value in document.items() if value not in (None, "", {})}


def shown(document: dict, question: Question, *, kind: str) -> dict:
    """The keys a list asked for: `expand` names them (and `id`); else the list's own,
    plus lastModified with `full` and cardData with `cardData`."""
    if question.expand:
        wanted = {"id", *question.expand}
    else:
        wanted = set(LIST_KEYS if kind == ArtifactKind.MODEL else DATASET_LIST_KEYS)
        if question.full:
            wanted.add("lastModified")
        if question.card_data:
            wanted.add("cardData")
    return {key: value for key, value in document.items() if key in wanted}


def hub_error(status: int, message: str, *, code: str = "", header: str = "") -> Response:
    """An error as the Hub words it: the client raises by `X-Error-Code` and shows
    `X-Error-Message` (a fixed text, never what the request said) and `error`."""
    headers = {"X-Error-Code": code, "X-Error-Message": header or message} if code else {}
    return Response({"error": message}, status=status, headers=headers)


class HubView(APIView):
    """JSON only (the clients send `Accept: */*`), the API's authentication and rate
    limits, errors in the Hub's form. Another protocol: not in the OpenAPI schema."""

    renderer_classes = [JSONRenderer]
    schema = None
    kind: str = ""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if detail is not None:  # 401 for a bad token of ours, 405, 429 (with Retry-After)
            response.data = {"error": str(detail)}
        return response


class RepoListView(HubView):
    """`list_models` / `list_datasets`: the catalog's search, one page at a time."""

    def get(self, request: Request) -> Response:
        try:
            question = read_question(request.query_params, kind=self.kind)
        except BadQuestion as error:
            return hub_error(400, str(error))
        except NothingMatches:
            return Response([])
        result = run_search(
            question.search_params,
            request.user,
            facets=[],
            load=lambda ids: hub_documents(ids, request.user),
        )
        if result.page_not_found:
            return Response([])
        if result.errors:
            return self.search_errors(result.errors)
        documents = [shown(d, question, kind=self.kind) for d in result.artifacts]
        headers = {}
        next_url = links(request, result)["next"]
        if next_url:
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Response(documents, headers=headers)

    def search_errors(self, errors: dict[str, list[str]]) -> Response:
        """A filter value no entry has is an empty answer, as on the Hub; the rest is 400."""
        answerable = ("filter", "author")
        bad = {
            name: messages
            for name, messages in errors.items()
            if hub_parameter(name) not in answerable
        }
        if not bad:
            return Response([])
        return hub_error(
            400,
            "; ".join(
                f"{hub_parameter(name)}: {' '.join(messages)}" for name, messages in bad.items()
            ),
        )


class RepoInfoView(HubView):
    """`model_info` / `dataset_info` (and `repo_exists`), at a revision or not."""

    def get(self, request: Request, repo_id: str, revision: str | None = None) -> Response:
        namespace, _, slug = repo_id.partition("/")
        visible = Artifact.objects.visible_to(request.user).filter(kind=self.kind)
        pk = visible.filter(namespace=namespace, slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            return hub_error(404, REPO_NOT_FOUND, code="RepoNotFound")
        if revision is not None and revision != REVISION:
            return hub_error(
                404,
                f"Invalid rev id: {revision}; the catalog keeps one revision, '{REVISION}'.",
                code="RevisionNotFound",
                header="Revision not found",
            )
        [document] = hub_documents([pk], request.user)
        expand = [value for value in request.query_params.getlist("expand") if value.strip()]
        if expand:
            document = {key: value for key, value in document.items() if key in {"id", *expand}}
        return Response(document)


class NotServedView(HubView):
    """Other Hub paths under /api/models, /api/datasets and /api/spaces: a 404 that says
    what the catalog answers (files, commits and Spaces it does not have)."""

    def get(self, request: Request, **kwargs) -> Response:
        if kwargs.get("repo_type") == "spaces":
            return hub_error(
                404,
                "The catalog has no Spaces. Its tools are at /api/v1/artifacts/?kind=tool.",
                code="RepoNotFound" if kwargs.get("rest") else "",
            )
        return hub_error(
            404,
            "The catalog answers /api/models and /api/datasets, /api/<models|datasets>/<id> "
            f"and .../<id>/revision/{REVISION}; it keeps no files or commits.",
        )
