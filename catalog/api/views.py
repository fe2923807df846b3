"""Read API views: declarations over the visibility QuerySets."""

from django.db.models import Prefetch, Q, QuerySet
from rest_framework import viewsets

from catalog.api.serializers import (
    ArtifactDetailSerializer,
    ArtifactSerializer,
    OrganizationSerializer,
)
from catalog.models import Artifact, Contribution, Organization, Relation


def artifact_list_queryset(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
    """What a result needs, in a fixed number of queries whatever the page size."""
    return artifacts.prefetch_related(
        # Without these, every result would query its organizations, licenses and terms.
        Prefetch("contributions", queryset=Contribution.objects.select_related("organization")),
        "licenses",
        "tasks",
        "modalities",
        "languages",
        "tags",
        "variants",
    )


def artifact_detail_queryset(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
    """A result plus lineage both ways (only to what the reader may see), sources, openness."""
    visible = artifacts.values("pk")
    return artifact_list_queryset(artifacts).prefetch_related(
        "sources",
        "openness_components",
        Prefetch(
            "relations",
            queryset=Relation.objects.filter(
                Q(target__isnull=True) | Q(target__in=visible)
            ).select_related("target"),
            to_attr="visible_relations",
        ),
        Prefetch(
            "incoming_relations",
            queryset=Relation.objects.filter(source__in=visible).select_related("source"),
            to_attr="visible_incoming_relations",
        ),
    )


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The alliance's member organizations."""

    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    lookup_field = "slug"


class ArtifactViewSet(viewsets.ReadOnlyModelViewSet):
    """Models, datasets and tools the members share."""

    lookup_field = "slug"
    lookup_url_kwarg = "slug"

    def get_queryset(self) -> QuerySet[Artifact]:
        artifacts = Artifact.objects.visible_to(self.request.user)
        if self.action == "retrieve":
            return artifact_detail_queryset(artifacts).filter(namespace=self.kwargs["namespace"])
        return artifact_list_queryset(artifacts)

    def get_serializer_class(self):
        return ArtifactDetailSerializer if self.action == "retrieve" else ArtifactSerializer
