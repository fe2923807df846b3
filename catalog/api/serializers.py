"""JSON shapes of the read API. Field names are the API's contract: change them only
with a new API version.

Every field is in every answer (a blank value is "" and an unknown one null), so the
model serializers mark each field `required`: the OpenAPI schema then says so, and
tests/test_openapi.py holds real answers to it."""

import functools

from django.db.models import Prefetch, QuerySet
from django.urls import get_script_prefix, get_urlconf, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from catalog.models import (
    Artifact,
    License,
    OpennessClass,
    Organization,
    Relation,
)
from catalog.openness import ComponentLicense, assess_artifact
from catalog.search.cards import LICENSE_FIELDS, card_of, stored_cards
from catalog.search.query import with_result_relations


def always_present(fields: list[str]) -> dict[str, dict]:
    """Meta.extra_kwargs for a read serializer: every field is in every answer."""
    return {name: {"required": True} for name in fields}


class ApiEndpointsSerializer(serializers.Serializer):
    artifacts = serializers.URLField(help_text="Search: q, filters, facets, ordering, pages.")
    artifact = serializers.CharField(help_text="One entry (a URI template).")
    lineage = serializers.CharField(help_text="An entry's lineage graph (a URI template).")
    organizations = serializers.URLField(help_text="The members.")
    organization = serializers.CharField(help_text="One member (a URI template).")
    licenses = serializers.URLField(help_text="Licenses in use, in plain words.")
    taxonomy = serializers.URLField(help_text="Tasks, modalities and languages.")


class ApiIndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    description = serializers.CharField()
    endpoints = ApiEndpointsSerializer()
    schema = serializers.URLField(help_text="This API's OpenAPI 3 schema.")
    docs = serializers.URLField(help_text="The schema, browsable.")


class ArtifactCountsSerializer(serializers.Serializer):
    model = serializers.IntegerField(source="model_count")
    dataset = serializers.IntegerField(source="dataset_count")
    tool = serializers.IntegerField(source="tool_count")


class OrganizationSerializer(serializers.ModelSerializer):
    """A member; `artifact_counts` counts its published entries (lead or contributor)."""

    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    artifact_counts = ArtifactCountsSerializer(source="*", read_only=True)
    country_name = serializers.CharField(
        read_only=True, help_text="The name of the ISO 3166-1 country in `country`."
    )

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "full_name",
            "kind",
            "country",
            "country_name",
            "website",
            "founding_member",
            "description",
            "sources",
            "artifact_counts",
            "url",
            "html_url",
        ]
        extra_kwargs = always_present(fields)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, organization: Organization) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api:organization-detail", kwargs={"slug": organization.slug})
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, organization: Organization) -> str:
        return self.context["request"].build_absolute_uri(organization.get_absolute_url())


class TermCountSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(help_text="Published entries with it.")


class TaxonomySerializer(serializers.Serializer):
    tasks = TermCountSerializer(many=True)
    modalities = TermCountSerializer(many=True)
    languages = TermCountSerializer(many=True)


class LicenseSerializer(serializers.ModelSerializer):
    class Meta:
        model = License
        fields = list(LICENSE_FIELDS)  # as a result card shows them
        extra_kwargs = always_present(fields)


class LicenseInUseSerializer(LicenseSerializer):
    artifact_count = serializers.IntegerField(help_text="Published entries under it.")

    class Meta(LicenseSerializer.Meta):
        fields = [*LicenseSerializer.Meta.fields, "artifact_count"]
        extra_kwargs = always_present(fields)


class ContributorSerializer(serializers.Serializer):
    slug = serializers.CharField(source="organization.slug")
    name = serializers.CharField(source="organization.name")
    role = serializers.CharField()


class VariantSerializer(serializers.Serializer):
    name = serializers.CharField()
    parameters = serializers.IntegerField()
    active_parameters = serializers.IntegerField(allow_null=True)


class ArtifactLicenseSerializer(serializers.Serializer):
    expression = serializers.CharField(source="license_expression")
    note = serializers.CharField(source="license_note")
    parts = LicenseSerializer(source="licenses", many=True)


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "homepage": {"type": "string", "format": "uri"},
            "repository": {"type": "string", "format": "uri"},
            "huggingface": {"type": "string", "format": "uri"},
            "paper": {"type": "string", "format": "uri"},
        },
    }
)
class LinksField(serializers.DictField):
    """An entry's links that it has, by name: its card holds them."""


class ArtifactSerializer(serializers.ModelSerializer):
    """One search result: the entry's card (`catalog.search.cards`) and its addresses.

    The declared fields document the card in the OpenAPI schema; the values come from
    `card_of`, the one definition of a card, which lists read from the search documents
    (`result_cards`). A subclass's further fields are serialized as usual."""

    id = serializers.CharField(source="repo_id")
    organizations = ContributorSerializer(source="contributions", many=True)
    license = ArtifactLicenseSerializer(source="*")
    released = serializers.CharField(source="released_display", allow_blank=True)
    tasks = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    modalities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    languages = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    parameters = VariantSerializer(source="variants", many=True)
    openness_class = serializers.ChoiceField(
        choices=OpennessClass.choices,
        allow_blank=True,
        read_only=True,
        help_text="Model Openness Framework class (models only), computed; blank when none.",
    )
    links = LinksField(read_only=True)
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Artifact
        fields = [
            "id",
            "kind",
            "name",
            "summary",
            "status",
            "organizations",
            "license",
            "released",
            "tasks",
            "modalities",
            "languages",
            "tags",
            "parameters",
            "openness_class",
            "links",
            "url",
            "html_url",
        ]
        extra_kwargs = always_present(fields)

    def to_representation(self, artifact: Artifact) -> dict:
        """The card's values, then the fields it does not hold, in the declared order."""
        card = card_of(artifact)
        data = {}
        for field in self._readable_fields:
            name = field.field_name
            if name in card:
                data[name] = card[name]
                continue
            try:
                attribute = field.get_attribute(artifact)
            except SkipField:
                continue
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, artifact: Artifact) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(
                "api:artifact-detail",
                kwargs={"namespace": artifact.namespace, "slug": artifact.slug},
            )
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_html_url(self, artifact: Artifact) -> str:
        return self.context["request"].build_absolute_uri(artifact.get_absolute_url())


class RelationSerializer(serializers.Serializer):
    type = serializers.CharField(source="relation_type")
    label = serializers.CharField(source="get_relation_type_display")
    artifact = serializers.SerializerMethodField()
    external = serializers.SerializerMethodField()

    def __init__(self, *args, direction: str = "out", **kwargs):
        self.direction = direction
        super().__init__(*args, **kwargs)

    @extend_schema_field({"type": "string", "nullable": True, "description": "artifact id"})
    def get_artifact(self, relation) -> str | None:
        other = relation.target if self.direction == "out" else relation.source
        return other.repo_id if other is not None else None

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "A work not in the catalog (outgoing relations only).",
            "required": ["name", "kind", "url"],
            "properties": {
                "name": {"type": "string"},
                "kind": {"type": "string"},
                "url": {"type": "string"},
            },
        }
    )
    def get_external(self, relation) -> dict | None:
        if relation.target_id is not None or self.direction != "out":
            return None
        return {
            "name": relation.external_name,
            "kind": relation.external_kind,
            "url": relation.external_url,
        }


class ArtifactDetailSerializer(ArtifactSerializer):
    """Everything about one entry."""

    derived_from = serializers.SerializerMethodField()
    derivatives = serializers.SerializerMethodField()
    openness = serializers.SerializerMethodField()
    sources = serializers.SlugRelatedField(slug_field="url", many=True, read_only=True)
    dataset_size = serializers.SerializerMethodField()
    formats = serializers.ListField(child=serializers.CharField(), help_text="Datasets.")
    programming_languages = serializers.ListField(child=serializers.CharField(), help_text="Tools.")
    unverified = serializers.DictField(
        help_text="Claims not yet confirmed by a source, by field: never facts."
    )

    class Meta(ArtifactSerializer.Meta):
        fields = [
            *ArtifactSerializer.Meta.fields,
            "description",
            "version",
            "withdrawn_reason",
            "architecture",
            "dataset_size",
            "formats",
            "tool_category",
            "programming_languages",
            "openness",
            "derived_from",
            "derivatives",
            "sources",
            "unverified",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = always_present(fields)

    @extend_schema_field(RelationSerializer(many=True))
    def get_derived_from(self, artifact: Artifact) -> list:
        return RelationSerializer(artifact.visible_relations, many=True, direction="out").data

    @extend_schema_field(RelationSerializer(many=True))
    def get_derivatives(self, artifact: Artifact) -> list:
        return RelationSerializer(
            artifact.visible_incoming_relations, many=True, direction="in"
        ).data

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "Datasets: the size as a decimal string, with its unit.",
            "required": ["value", "unit"],
            "properties": {
                "value": {"type": "string"},
                "unit": {"type": "string"},
            },
        }
    )
    def get_dataset_size(self, artifact: Artifact) -> dict | None:
        if artifact.size_value is None:
            return None
        return {"value": str(artifact.size_value.normalize()), "unit": artifact.size_unit}

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "description": "Model Openness Framework assessment; null for datasets and tools.",
            "required": ["class", "label", "next_class", "missing_for_next", "components"],
            "properties": {
                "class": {"type": "string", "enum": ["I", "II", "III", ""]},
                "label": {"type": "string"},
                "next_class": {"type": "string"},
                "missing_for_next": {"type": "array", "items": {"type": "string"}},
                "components": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "component",
                            "included",
                            "license",
                            "unlicensed",
                            "location",
                            "applies",
                            "counts",
                        ],
                        "properties": {
                            "component": {"type": "string"},
                            "included": {"type": "boolean"},
                            "license": {
                                "type": "string",
                                "description": "Its own license; empty when it names none.",
                            },
                            "unlicensed": {
                                "type": "boolean",
                                "description": "Its source says it carries no license.",
                            },
                            "location": {"type": "string"},
                            "applies": {
                                "type": "object",
                                "description": (
                                    "The license it is under: its own, else the entry's "
                                    "(as the Model Openness Tool decides); none if not released."
                                ),
                                "required": ["license", "from"],
                                "properties": {
                                    "license": {"type": "string"},
                                    "from": {"type": "string", "enum": ["own", "release", "none"]},
                                },
                            },
                            "counts": {"type": "boolean"},
                        },
                    },
                },
            },
        }
    )
    def get_openness(self, artifact: Artifact) -> dict | None:
        if artifact.kind != "model":
            return None
        assessment = assess_artifact(artifact)
        return {
            "class": assessment.openness_class,
            "label": assessment.label,
            "next_class": assessment.next_class,
            "missing_for_next": list(assessment.missing_for_next),
            "components": [
                {
                    "component": c.component,
                    "included": c.included,
                    "license": c.license_expression,
                    "unlicensed": c.unlicensed,
                    "location": c.location,
                    "applies": _applies(assessment.license_of(c.component)),
                    "counts": c.component in assessment.counted,
                }
                for c in artifact.openness_components.all()
            ],
        }


def _applies(license: ComponentLicense) -> dict:
    return {"license": license.expression, "from": license.source}


class LineageNodeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Artifact id, or 'external:<name>' for a work not here.")
    name = serializers.CharField()
    kind = serializers.CharField()
    external = serializers.BooleanField()
    url = serializers.CharField(help_text="The API URL of an artifact; a link for external works.")


class LineageEdgeSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="The derived node's id.")
    target = serializers.CharField(help_text="The id of the node it came from or uses.")
    type = serializers.CharField()
    label = serializers.CharField()


class LineageSerializer(serializers.Serializer):
    root = serializers.CharField()
    depth = serializers.IntegerField()
    nodes = LineageNodeSerializer(many=True)
    edges = LineageEdgeSerializer(many=True)


def artifact_detail_queryset(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
    """A result plus lineage both ways (only to what the reader may see), sources, openness."""
    edges = Relation.objects.within(artifacts)
    return with_result_relations(artifacts).prefetch_related(
        "sources",
        "openness_components",
        Prefetch("relations", queryset=edges.select_related("target"), to_attr="visible_relations"),
        Prefetch(
            "incoming_relations",
            queryset=edges.select_related("source"),
            to_attr="visible_incoming_relations",
        ),
    )


def result_cards(ids: list[int], request) -> list[dict]:
    """`ArtifactSerializer(...).data` for the entries `ids`, in that order, read in one
    statement from their search documents' cards."""
    cards = stored_cards(ids)
    api_prefix = _url_prefix(request, "api:artifact-detail")
    html_prefix = _url_prefix(request, "web:artifact")
    results = []
    for pk in ids:
        card, _ = cards[pk]
        results.append(
            {**card, "url": f"{api_prefix}{card['id']}/", "html_url": f"{html_prefix}{card['id']}/"}
        )
    return results


@functools.lru_cache(maxsize=64)
def _path_prefix(view_name: str, script_prefix: str, urlconf: str | None) -> str:
    """The path of `view_name` for an entry, up to the entry's id. It depends only on
    the URLconf and the script prefix, so it is reversed once for each pair. Ids are
    URL-safe (ID_PART_PATTERN): prefix + "namespace/slug/" is what reverse() gives."""
    path = reverse(view_name, urlconf, kwargs={"namespace": "namespace", "slug": "slug"})
    prefix = path.removesuffix("namespace/slug/")
    if prefix == path:
        raise ValueError(f"{view_name} no longer ends with the entry's id: {path}")
    return prefix


def _url_prefix(request, view_name: str) -> str:
    path = _path_prefix(view_name, get_script_prefix(), get_urlconf())
    return request.build_absolute_uri(path)
