"""API views: declarations over the visibility QuerySets and the search core; writes
are in entries.py (create, change, delete) and transitions.py (the workflow)."""

from __future__ import annotations

from urllib.parse import unquote

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.entries import EntryChanges, EntryChangeSerializer, EntryCreateSerializer
from catalog.api.filters import OrganizationFilterSet
from catalog.api.pagination import paginated_response
from catalog.api.preconditions import TokenWriteMixin
from catalog.api.schema import (
    BAD_PARAMETERS,
    BAD_TOKEN,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    LINEAGE_PARAMETERS,
    LOCATION,
    NOT_FOUND,
    PAGE_NOT_FOUND,
    SEARCH_PARAMETERS,
    THROTTLED,
    WRITE_RESPONSES,
    ErrorDetailSerializer,
    FieldErrorsSerializer,
    SearchPageSerializer,
)
from catalog.api.serializers import (
    ApiIndexSerializer,
    ArtifactDetailSerializer,
    ArtifactSerializer,
    LicenseInUseSerializer,
    LineageSerializer,
    OrganizationSerializer,
    TaxonomySerializer,
    artifact_detail_queryset,
    result_cards,
)
from catalog.lineage import MAX_DEPTH, lineage_graph
from catalog.models import (
    PUBLIC_STATUSES,
    Artifact,
    ArtifactKind,
    Language,
    License,
    Modality,
    Organization,
    Task,
)
from catalog.search.query import run_search


def _published_count(kind: str) -> Count:
    return Count(
        "contributions",
        filter=Q(
            contributions__artifact__kind=kind,
            contributions__artifact__status__in=PUBLIC_STATUSES,
        ),
    )


class ApiIndexView(APIView):
    """Where everything is: the endpoints, the schema and its browser."""

    @extend_schema(
        summary="The endpoints", responses={200: ApiIndexSerializer, **BAD_TOKEN, **THROTTLED}
    )
    def get(self, request: Request) -> Response:
        def url(name: str, **kwargs) -> str:
            # Placeholders stay readable as URI templates: {namespace}, not %7Bnamespace%7D.
            return unquote(request.build_absolute_uri(reverse(name, kwargs=kwargs or None)))

        entry = {"namespace": "{namespace}", "slug": "{slug}"}
        data = {
            "name": settings.SPECTACULAR_SETTINGS["TITLE"],
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
            "description": settings.SPECTACULAR_SETTINGS["DESCRIPTION"],
            "endpoints": {
                "artifacts": url("api:artifact-list"),
                "artifact": url("api:artifact-detail", **entry),
                "lineage": url("api:artifact-lineage", **entry),
                "organizations": url("api:organization-list"),
                "organization": url("api:organization-detail", slug="{slug}"),
                "licenses": url("api:license-list"),
                "taxonomy": url("api:taxonomy"),
            },
            "schema": url("schema"),
            "docs": url("api-docs"),
        }
        return Response(ApiIndexSerializer(data).data)


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The alliance's member organizations, with counts of their published entries."""

    queryset = Organization.objects.annotate(
        model_count=_published_count(ArtifactKind.MODEL),
        dataset_count=_published_count(ArtifactKind.DATASET),
        tool_count=_published_count(ArtifactKind.TOOL),
    ).order_by("name")
    serializer_class = OrganizationSerializer
    lookup_field = "slug"
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrganizationFilterSet
    pagination_class = None  # a reference list: all members at once

    @extend_schema(
        summary="The members",
        responses={
            200: OrganizationSerializer(many=True),
            **BAD_PARAMETERS,
            **BAD_TOKEN,
            **THROTTLED,
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="One member",
        responses={200: OrganizationSerializer, **NOT_FOUND, **BAD_TOKEN, **THROTTLED},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


class ArtifactViewSet(TokenWriteMixin, EntryChanges, viewsets.GenericViewSet):
    """Models, datasets and tools the members share."""

    serializer_class = ArtifactSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Artifact]:
        return Artifact.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Search the catalog",
        parameters=SEARCH_PARAMETERS,
        responses={
            200: SearchPageSerializer,
            **BAD_PARAMETERS,
            **PAGE_NOT_FOUND,
            **BAD_TOKEN,
            **THROTTLED,
        },
    )
    def list(self, request: Request) -> Response:
        """Full-text search with filters, facets, ordering and paging.

        Filters repeat (`task=a&task=b` is either); different filters must all hold.
        A bad parameter answers 400 with a message for each bad parameter.
        """
        result = run_search(
            request.query_params, request.user, load=lambda ids: result_cards(ids, request)
        )
        if result.page_not_found:
            raise NotFound(result.errors["page"][0])
        if result.errors:
            raise ValidationError(result.errors)
        extra = {
            "interpretation": result.interpretation.as_dict() if result.interpretation else None
        }
        if result.facets:
            extra["facets"] = {
                name: [value.as_dict() for value in values]
                for name, values in result.facets.items()
            }
        return paginated_response(request, result, result.artifacts, **extra)

    @extend_schema(
        summary="Register a draft",
        description="A new draft for an organization the token may write for, with the "
        "fields the admin's add form has, validated by that form. With an "
        "Idempotency-Key, a retry of the same request answers the first answer again "
        "and creates nothing.",
        request=EntryCreateSerializer,
        parameters=[IDEMPOTENCY_KEY, LOCATION],
        responses={
            201: OpenApiResponse(ArtifactDetailSerializer, description="The new draft."),
            422: OpenApiResponse(
                FieldErrorsSerializer,
                description="The Idempotency-Key came first with another request.",
            ),
            **{
                code: response
                for code, response in WRITE_RESPONSES.items()
                if code not in (404, 412, 428)
            },
        },
    )
    def create(self, request: Request) -> Response:
        return self.create_entry(request)

    def get_object(self) -> Artifact:
        return get_object_or_404(
            artifact_detail_queryset(self.get_queryset()),
            namespace=self.kwargs["namespace"],
            slug=self.kwargs["slug"],
        )

    @extend_schema(
        summary="Everything about one entry",
        responses={200: ArtifactDetailSerializer, **NOT_FOUND, **BAD_TOKEN, **THROTTLED},
    )
    def retrieve(self, request: Request, namespace: str, slug: str) -> Response:
        artifact = self.get_object()
        serializer = ArtifactDetailSerializer(artifact, context=self.get_serializer_context())
        return Response(serializer.data, headers={"ETag": artifact.etag})

    @extend_schema(
        summary="Change some of an entry's fields",
        description="The fields sent change, the others stay. Validated by the admin's "
        "form; computed fields are refused. Send the entry's ETag in If-Match.",
        request=EntryChangeSerializer,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(ArtifactDetailSerializer, description="The entry, changed."),
            **WRITE_RESPONSES,
        },
    )
    def partial_update(self, request: Request, namespace: str, slug: str) -> Response:
        return self.change_entry(request, namespace, slug, partial=True)

    @extend_schema(
        summary="Replace an entry's fields",
        description="Every field the entry takes: one left out is emptied. Validated by "
        "the admin's form; computed fields are refused. Send the entry's ETag in If-Match.",
        request=EntryChangeSerializer,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(ArtifactDetailSerializer, description="The entry, changed."),
            **WRITE_RESPONSES,
        },
    )
    def update(self, request: Request, namespace: str, slug: str) -> Response:
        return self.change_entry(request, namespace, slug, partial=False)

    @extend_schema(
        summary="Delete a draft",
        description="Drafts only: what the public has seen is withdrawn instead. Send the "
        "entry's ETag in If-Match.",
        request=None,
        parameters=[IF_MATCH],
        responses={
            204: OpenApiResponse(description="Deleted."),
            409: OpenApiResponse(
                ErrorDetailSerializer, description="Not a draft: withdraw it instead."
            ),
            **{code: r for code, r in WRITE_RESPONSES.items() if code not in (400, 413)},
        },
    )
    def destroy(self, request: Request, namespace: str, slug: str) -> Response:
        return self.delete_entry(request, namespace, slug)

    @extend_schema(
        summary="Lineage graph around one entry",
        parameters=LINEAGE_PARAMETERS,
        responses={200: LineageSerializer, **BAD_PARAMETERS, **NOT_FOUND, **BAD_TOKEN, **THROTTLED},
    )
    @action(detail=True)
    def lineage(self, request: Request, namespace: str, slug: str) -> Response:
        """Ancestors and descendants up to `depth` edges away, across members."""
        depth = _depth(request.query_params.get("depth"))
        visible = self.get_queryset()
        root = get_object_or_404(visible, namespace=namespace, slug=slug)
        graph = lineage_graph(root, depth=depth, artifacts=visible)
        nodes = []
        for node in graph.nodes.values():
            artifact = node["artifact"]
            url = node["url"]
            if artifact is not None:
                url = request.build_absolute_uri(
                    reverse(
                        "api:artifact-detail",
                        kwargs={"namespace": artifact.namespace, "slug": artifact.slug},
                    )
                )
            nodes.append({**node, "url": url})
        data = {"root": root.repo_id, "depth": depth, "nodes": nodes, "edges": graph.edges}
        return Response(LineageSerializer(data).data)


def _depth(value: str | None) -> int:
    if value in (None, ""):
        return 2
    try:
        depth = int(value)
    except ValueError:
        raise ValidationError({"depth": ["Enter a whole number."]}) from None
    if not 1 <= depth <= MAX_DEPTH:
        raise ValidationError({"depth": [f"Use a depth from 1 to {MAX_DEPTH}."]})
    return depth


class LicenseListView(GenericAPIView):
    """The licenses published entries use, with categories and plain-words flags."""

    serializer_class = LicenseInUseSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[License]:
        published = Artifact.objects.published().values("pk")
        return (
            License.objects.annotate(
                artifact_count=Count("artifacts", filter=Q(artifacts__in=published))
            )
            .filter(artifact_count__gt=0)
            .order_by("key")
        )

    @extend_schema(
        summary="Licenses in use",
        responses={200: LicenseInUseSerializer(many=True), **BAD_TOKEN, **THROTTLED},
    )
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


class TaxonomyView(APIView):
    """Tasks, modalities and languages, each with how many published entries have it."""

    @extend_schema(
        summary="Tasks, modalities, languages",
        responses={200: TaxonomySerializer, **BAD_TOKEN, **THROTTLED},
    )
    def get(self, request: Request) -> Response:
        published = Artifact.objects.published().values("pk")

        def terms(model) -> list[dict]:
            rows = model.objects.annotate(
                count=Count("artifacts", filter=Q(artifacts__in=published))
            ).order_by("-count", "name")
            return [{"slug": t.slug, "name": t.name, "count": t.count} for t in rows]

        data = {"tasks": terms(Task), "modalities": terms(Modality), "languages": terms(Language)}
        return Response(TaxonomySerializer(data).data)
