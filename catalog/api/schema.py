"""OpenAPI descriptions that drf-spectacular cannot infer: the search parameters (taken
from the FilterSet and the search form, so the schema cannot drift from the code), the
search page's body, the error bodies and headers, and which operations need no sign-in.

tests/test_openapi.py validates real responses against the served schema, strictly: a
field the API adds must be documented here or in serializers.py (for the search page,
in SearchPageSerializer) or that test fails."""

from __future__ import annotations

import django_filters
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly

from catalog.api.authentication import ApiTokenAuthentication
from catalog.api.serializers import ArtifactDetailSerializer, ArtifactSerializer
from catalog.identifiers import ID_PART_PATTERN, ORGANIZATION_SLUG_PATTERN
from catalog.lineage import MAX_DEPTH
from catalog.models import ArtifactKind
from catalog.search.facets import FACETS
from catalog.search.filters import (
    PARAMETER_COUNT_PATTERN,
    ArtifactFilterSet,
    ParameterCountFilter,
)
from catalog.search.query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ORDERING_CHOICES,
)
from catalog.search.syntax import MAX_QUERY_LENGTH


def _filter_parameter(name: str, filter_: django_filters.Filter) -> OpenApiParameter:
    enum = None
    many = False
    kind = OpenApiTypes.STR
    pattern = None
    if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
        many = True  # values are slugs or keys of rows; see /api/v1/taxonomy/
    elif isinstance(filter_, django_filters.MultipleChoiceFilter):
        enum = [value for value, _ in filter_.extra["choices"]]
        many = True
    elif isinstance(filter_, django_filters.DateFilter):
        kind = OpenApiTypes.DATE
    elif isinstance(filter_, ParameterCountFilter):
        pattern = PARAMETER_COUNT_PATTERN
    return OpenApiParameter(
        name,
        kind,
        OpenApiParameter.QUERY,
        description=str(filter_.extra.get("help_text", "")),
        enum=enum,
        pattern=pattern,
        many=many,
        explode=True if many else None,
    )


SEARCH_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=(
            "Full-text search over name (strongest), summary, tags, tasks, modalities, "
            'organizations and description. Words must all match; "exact phrases"; '
            "-word excludes; OR between two terms for either; the last word also "
            "matches as a prefix. Common words (the, for) need not match; model(s), "
            "dataset(s), tool(s) read as the kind filter; when no entry holds every "
            "word, those holding the most come first (see `interpretation`). A q with "
            "nothing to search for (only symbols or common words) is a 400. "
            f"At most {MAX_QUERY_LENGTH} characters. Every match that passes the "
            "filters is counted and can be paged to."
        ),
    ),
    *(_filter_parameter(name, f) for name, f in ArtifactFilterSet.base_filters.items()),
    OpenApiParameter(
        "facets",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description="Comma-separated facets to count under the other filters: " + ", ".join(FACETS),
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        enum=[value for value, _ in ORDERING_CHOICES],
        description="relevance (default with q), name (default without), released, "
        "updated or parameters; '-' in front for descending.",
    ),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1},
        OpenApiParameter.QUERY,
        description="1-based.",
    ),
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        description=(
            "Where a page starts, as the `next` link gives it for the orderings name, "
            "released, updated and parameters (either direction): the entries after the "
            "last one seen, so deep pages cost what the first does. Opaque and signed: "
            "a cursor that was changed, or is used with another ordering, with `page`, "
            "or with relevance, is a 400 naming `cursor`."
        ),
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        OpenApiParameter.QUERY,
        description=f"Results per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
    ),
    OpenApiParameter(
        "Link",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description='RFC 8288 links to the first, prev, next and last pages: <url>; rel="next"',
    ),
]

LINEAGE_PARAMETERS = [
    OpenApiParameter(
        "depth",
        {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH},
        OpenApiParameter.QUERY,
        description=f"How many edges to follow each way, 1 to {MAX_DEPTH} (default 2).",
    )
]


# A blank single-valued parameter (`page=`, `released_after=`, as a form with an empty
# field sends it) is read as not given; a blank value of a repeatable filter is a 400.
BLANK_IS_NOT_GIVEN = frozenset(
    parameter.name
    for parameter in (*SEARCH_PARAMETERS, *LINEAGE_PARAMETERS)
    if parameter.location == OpenApiParameter.QUERY and not parameter.many
)


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class InterpretationSerializer(serializers.Serializer):
    kind = serializers.ListField(
        child=serializers.ChoiceField(choices=ArtifactKind.choices),
        help_text='Kinds read from q ("models" -> model) and applied as the `kind` filter; '
        "empty when q names none or `kind` was given (the parameter wins).",
    )
    kind_words = serializers.ListField(
        child=serializers.CharField(), help_text="The words of q read as a kind."
    )
    ignored_words = serializers.ListField(
        child=serializers.CharField(), help_text="Common words of q that need not match."
    )
    match = serializers.ChoiceField(
        choices=[("all", "all"), ("some", "some")],
        help_text="all: every word of q matched; some: no entry holds every word, so "
        "entries holding the most of them come first.",
    )
    did_you_mean = serializers.CharField(
        allow_null=True,
        help_text="q with typos corrected from the catalog's own words, when q matched "
        "nothing or only some of its words.",
    )
    corrected = serializers.BooleanField(
        help_text="The results are did_you_mean's: q matched nothing, or only some of "
        "its words while did_you_mean matches them all."
    )


@extend_schema_serializer(many=False)  # one page of results, not a list of pages
class SearchPageSerializer(serializers.Serializer):
    """One page of search results."""

    # A new top-level field of the list's body is declared here, with `required=False`
    # when it is not in every answer (tests/test_openapi.py fails until it is).

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.URLField(
        allow_null=True,
        help_text="The next page, or null: a `cursor` link for orderings with a keyset "
        "(name, released, updated, parameters), else a page number.",
    )
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")
    results = ArtifactSerializer(many=True)
    interpretation = InterpretationSerializer(
        allow_null=True, help_text="How q was read; null without q."
    )
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        required=False,
        help_text="Present when `facets` was asked for: each asked facet's values.",
    )


class ParameterErrorsSerializer(serializers.Serializer):
    """Each bad parameter, with why its value is wrong."""


class ParameterErrorsExtension(OpenApiSerializerExtension):
    """The 400 body maps parameter names (which vary) to messages: an open map, which a
    serializer's fixed fields cannot describe."""

    target_class = ParameterErrorsSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        return {
            "type": "object",
            "description": "Each bad parameter with its messages, e.g. "
            '{"page_size": ["Use a page size from 1 to 100."]}.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "minProperties": 1,
        }


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


BAD_PARAMETERS = {
    400: OpenApiResponse(
        ParameterErrorsSerializer,
        description="A bad parameter: the body names each bad parameter and why.",
    )
}
NOT_FOUND = {
    404: OpenApiResponse(ErrorDetailSerializer, description="No such entry, or not visible to you.")
}
PAGE_NOT_FOUND = {
    404: OpenApiResponse(ErrorDetailSerializer, description="A page past the last one.")
}
THROTTLED = {
    429: OpenApiResponse(
        ErrorDetailSerializer,
        description="Too many requests from this client: anonymous clients, signed-in "
        "members and each API token have a rate per minute. Retry after the seconds in "
        "Retry-After.",
    )
}
BAD_TOKEN = {
    401: OpenApiResponse(
        ErrorDetailSerializer,
        description="An API token of ours (`Bearer alc_...`) that is unknown, expired or "
        "revoked, or whose account is inactive. A Bearer value that is not one of ours "
        "is ignored: the request is read as anonymous.",
    )
}
WWW_AUTHENTICATE = OpenApiParameter(
    "WWW-Authenticate",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[401],
    description='The challenge: `Bearer realm="api", error="invalid_token"`.',
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The entry's ETag, as GET on the entry (or the last write) answered it.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (a UUID) per request, at most 255 characters: a retry "
    "with the same key and body answers the first answer again, with "
    "`Idempotent-Replayed: true`, and creates nothing.",
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[201],
    description="The URL of what was created.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    description="The entry's entity tag; send it back in If-Match to change the entry.",
)


class FieldErrorsSerializer(serializers.Serializer):
    """Each bad field of a request's body, with why."""


class FieldErrorsExtension(OpenApiSerializerExtension):
    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction) -> dict:
        return {
            "type": "object",
            "description": "Each bad field with its messages, e.g. "
            '{"note": ["Give a public reason to withdraw meta/llama-2."]}.',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "minProperties": 1,
        }


WRITE_RESPONSES = {
    400: OpenApiResponse(
        FieldErrorsSerializer,
        description="A bad body: each bad field (an unknown one, a missing or wrong "
        "value) with why. Nothing was changed.",
    ),
    401: OpenApiResponse(
        ErrorDetailSerializer,
        description="No API token (writes need `Authorization: Bearer alc_...`), or one "
        "that is unknown, expired or revoked, or whose account is inactive.",
    ),
    403: OpenApiResponse(
        ErrorDetailSerializer,
        description="You may see the entry but not do this: your role, or the token's "
        "scopes or organizations, do not allow it.",
    ),
    404: OpenApiResponse(
        ErrorDetailSerializer, description="No such entry, or not visible to you."
    ),
    412: OpenApiResponse(
        ArtifactDetailSerializer,
        description="If-Match is not the entry's ETag any more: someone changed it since "
        "you read it. The body is the entry as it is now, with its ETag; nothing was "
        "changed. Re-apply your change to it and send again.",
    ),
    413: OpenApiResponse(
        ErrorDetailSerializer,
        description="The body is larger than the limit (`DATA_UPLOAD_MAX_MEMORY_SIZE`, "
        "2.5 MB by default); nothing was changed.",
    ),
    428: OpenApiResponse(
        ErrorDetailSerializer,
        description="If-Match is missing (or `*`): send the entry's ETag.",
    ),
    **THROTTLED,
}

UNAVAILABLE = OpenApiResponse(
    ErrorDetailSerializer,
    description="The catalog's database is not answering (a restart or a fail-over): "
    "nothing was done. Retry after the seconds in Retry-After.",
)


def retry_after(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=list(codes),
        description="Seconds to wait before the next request.",
    )


class CatalogAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the facts it does not derive.

    - An operation anyone may call requires no security scheme: reading the catalog
      needs no sign-in (a signed-in member's session only widens what `status=` shows),
      so it shows no lock.
    - Every operation may answer 503 while the database is unreachable
      (catalog/errors.py); that 503, and a throttled operation's 429, carry Retry-After.
      An operation that reads API tokens has its 401 carry WWW-Authenticate.
    - A search or lineage parameter in BLANK_IS_NOT_GIVEN allows an empty value, and
      the parts of an id in a path (`{namespace}/{slug}`, a member's `{slug}`) follow
      the id rule.
    """

    def get_auth(self) -> list[dict]:
        if self._anyone_may_call():
            return []
        return super().get_auth()

    def _is_entry_path(self) -> bool:
        """One entry's own answers (its detail and writes) carry its ETag."""
        path = self.path
        return (
            path.startswith("/api/v1/artifacts/")
            and not path.endswith("/lineage/")
            and (path != "/api/v1/artifacts/" or self.method == "POST")
        )

    def _anyone_may_call(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(p, AllowAny) for p in permissions) or (
            self.method in SAFE_METHODS
            and all(isinstance(p, AllowAny | IsAuthenticatedOrReadOnly) for p in permissions)
        )

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        for parameter in (operation or {}).get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in BLANK_IS_NOT_GIVEN:
                parameter["allowEmptyValue"] = True
            if parameter["in"] == "path":
                parameter["schema"]["pattern"] = (
                    ORGANIZATION_SLUG_PATTERN
                    if self.path.startswith("/api/v1/organizations/")
                    else ID_PART_PATTERN
                )
        return operation

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        # Always JSON: catalog/errors.py answers before any renderer is chosen.
        unavailable = self._get_response_for_code(UNAVAILABLE, "503", ["application/json"])
        responses.setdefault("503", unavailable)
        return responses

    def get_override_parameters(self) -> list:
        parameters = super().get_override_parameters()
        if self.view.get_throttles():
            parameters = [*parameters, retry_after(429, 503)]
        else:
            parameters = [*parameters, retry_after(503)]
        if any(isinstance(a, ApiTokenAuthentication) for a in self.view.get_authenticators()):
            parameters = [*parameters, WWW_AUTHENTICATE]
        if self.method != "DELETE" and self._is_entry_path():
            parameters = [*parameters, ETAG]
        return parameters
