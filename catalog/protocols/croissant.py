"""Croissant 1.1 (MLCommons) JSON-LD for a dataset, the metadata `mlcroissant` and the
data loaders that use it read: `/api/v1/artifacts/<namespace>/<slug>/croissant`.

What mlcroissant 1.1.1 needs (../shared/PROTOCOLS.md §3, checked by
tests/test_protocol_croissant.py with the real client):

- the `@context` inline, with `@language` (a context URL is refused before anything is
  fetched, so validation never needs the network);
- `conformsTo` 1.1 and a root of type `sc:Dataset`;
- a `cr:FileObject` needs `contentUrl`, `encodingFormat` and a checksum, or the root
  says `isLiveDataset`.

The catalog knows no single file of a dataset and no checksum. What it does know, when
its sources confirm one, is the dataset's Hugging Face repository: that becomes one
FileObject (a git repository, `git+https`, as the Hub's own Croissant files describe
one), and since the repository can change under the catalog, the document says
`isLiveDataset` rather than invent a checksum. A dataset without a repository gets a
metadata-only document, which mlcroissant accepts as it is.

Only published fields are facts; claims the seeds mark unverified live apart in
`Artifact.unverified` and never appear here. citeAs, datePublished, license and version
(recommended by Croissant) are given where known and left out otherwise.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.schema import BAD_TOKEN, THROTTLED, CatalogAutoSchema, ErrorDetailSerializer
from catalog.licenses import license_reference
from catalog.models import Artifact, ArtifactKind
from catalog.search.query import with_result_relations
from catalog.web.structured_data import creators_of

CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"

# The standard @context of Croissant 1.1, as mlcroissant writes it (make_context for a
# 1.1 document); a test holds the two equal, so readers see no "not standard" warning.
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "name": {"@container": "@language"},
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

# A git repository, in the notation Croissant uses for one (MIME types have none).
GIT_REPOSITORY = "git+https"


def croissant_document(artifact: Artifact, *, page_url: str) -> dict:
    """The dataset `artifact` (with `with_result_relations` prefetched) as Croissant 1.1.

    `page_url` is the absolute address of its page in the catalog.
    """
    document = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CROISSANT_1_1,
        "name": artifact.name,
        "description": artifact.summary,
        "url": page_url,
        "identifier": artifact.repo_id,
        "dateModified": artifact.updated_at.isoformat(),
    }
    if artifact.released_on:
        document["datePublished"] = artifact.released_display
    if artifact.version:
        document["version"] = artifact.version
    if license := license_reference(artifact):
        document["license"] = license
    if artifact.paper_url:
        document["citeAs"] = artifact.paper_url
    creators = creators_of(artifact, organization_type="sc:Organization")
    if creators:
        document["creator"] = creators
    same_as = [url for url in (artifact.huggingface_url, artifact.homepage_url) if url]
    if same_as:
        document["sameAs"] = same_as
    keywords = [
        term.name
        for term in (*artifact.tasks.all(), *artifact.modalities.all(), *artifact.tags.all())
    ]
    if keywords:
        document["keywords"] = keywords
    languages = [language.slug for language in artifact.languages.all()]
    if languages:
        document["inLanguage"] = languages
    if artifact.huggingface_url:
        document["isLiveDataset"] = True
        document["distribution"] = [
            {
                "@type": "cr:FileObject",
                "@id": "huggingface-repository",
                "name": "huggingface-repository",
                "description": "The dataset's repository on the Hugging Face Hub.",
                "contentUrl": artifact.huggingface_url,
                "encodingFormat": GIT_REPOSITORY,
            }
        ]
    return document


class JsonLdRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class JsonLdOnly(BaseContentNegotiation):
    """The document is JSON-LD whatever the client accepts: mlcroissant sends
    `Accept: */*`, a browser `text/html`, and both should get the document."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


NOT_A_DATASET = "{id} is a {kind}; Croissant describes datasets only."
NO_SUCH_DATASET = "No published dataset {id} in the catalog."

NOT_A_PUBLISHED_DATASET = {
    404: OpenApiResponse(
        ErrorDetailSerializer,
        description="No published dataset with this id (or the id is a model or a tool).",
        examples=[
            OpenApiExample(
                "A model",
                value={"detail": NOT_A_DATASET.format(id="meta/llama-2", kind="model")},
            )
        ],
    )
}

# The document's top level, for the OpenAPI schema: the keys it may carry.
CROISSANT_SCHEMA = {
    "type": "object",
    "description": "A Croissant 1.1 JSON-LD document (https://docs.mlcommons.org/croissant/).",
    "properties": {
        "@context": {"type": "object", "description": "Inline JSON-LD context."},
        "@type": {"type": "string", "enum": ["sc:Dataset"]},
        "conformsTo": {"type": "string", "enum": [CROISSANT_1_1]},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "url": {"type": "string", "format": "uri", "description": "The dataset's page."},
        "identifier": {"type": "string", "description": "The catalog id."},
        "dateModified": {"type": "string", "format": "date-time"},
        "datePublished": {
            "type": "string",
            "description": "First release, as precisely as known: YYYY, YYYY-MM or YYYY-MM-DD.",
        },
        "version": {"type": "string"},
        "license": {
            "type": "string",
            "description": "The license's URL, or the SPDX expression when it names several.",
        },
        "citeAs": {"type": "string", "format": "uri", "description": "The paper."},
        "creator": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "@type": {"type": "string", "enum": ["sc:Organization"]},
                    "name": {"type": "string"},
                    "url": {"type": "string", "format": "uri"},
                },
                "required": ["@type", "name"],
            },
        },
        "sameAs": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "inLanguage": {"type": "array", "items": {"type": "string"}},
        "isLiveDataset": {"type": "boolean"},
        "distribution": {
            "type": "array",
            "description": "Files the catalog knows: the Hugging Face repository, if any.",
            "items": {
                "type": "object",
                "properties": {
                    "@type": {"type": "string", "enum": ["cr:FileObject"]},
                    "@id": {"type": "string"},
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "contentUrl": {"type": "string", "format": "uri"},
                    "encodingFormat": {"type": "string"},
                },
                "required": ["@type", "@id", "name", "contentUrl", "encodingFormat"],
            },
        },
    },
    "required": [
        "@context",
        "@type",
        "conformsTo",
        "name",
        "description",
        "url",
        "identifier",
        "dateModified",
    ],
}


def croissant_queryset() -> QuerySet[Artifact]:
    """Published entries with what the document shows, in a fixed number of queries."""
    return with_result_relations(Artifact.objects.published())


class CroissantSchema(CatalogAutoSchema):
    def _is_entry_path(self) -> bool:
        return False  # a document about the entry, not the entry: it has no ETag to send


class CroissantView(APIView):
    """A published dataset as Croissant 1.1 JSON-LD, for `mlcroissant` and data loaders."""

    renderer_classes = [JsonLdRenderer]
    content_negotiation_class = JsonLdOnly
    schema = CroissantSchema()

    @extend_schema(
        summary="A dataset as Croissant 1.1 JSON-LD",
        description="What `mlcroissant validate --jsonld URL` and `mlc.Dataset(URL)` read: "
        "the dataset's published facts, and its Hugging Face repository as a file when "
        "the catalog knows one (the document is then `isLiveDataset`, as the repository "
        "can change). Models and tools are a 404: Croissant describes datasets.",
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                CROISSANT_SCHEMA, description="The Croissant document."
            ),
            # Errors are plain JSON, as everywhere in the API (see handle_exception).
            **{
                (code, "application/json"): response
                for code, response in {**NOT_A_PUBLISHED_DATASET, **BAD_TOKEN, **THROTTLED}.items()
            },
        },
    )
    def get(self, request: Request, namespace: str, slug: str) -> Response:
        repo_id = f"{namespace}/{slug}"
        artifact = croissant_queryset().filter(namespace=namespace, slug=slug).first()
        if artifact is None:  # missing, or not published: the same answer
            raise NotFound(NO_SUCH_DATASET.format(id=repo_id))
        if artifact.kind != ArtifactKind.DATASET:
            raise NotFound(
                NOT_A_DATASET.format(id=repo_id, kind=ArtifactKind(artifact.kind).label.lower())
            )
        page_url = request.build_absolute_uri(artifact.get_absolute_url())
        return Response(croissant_document(artifact, page_url=page_url))

    def handle_exception(self, exc):
        # An error is plain JSON, as everywhere else in the API; only a document is JSON-LD.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
