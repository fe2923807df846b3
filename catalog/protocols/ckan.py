"""CKAN's action API, read-only, for ckanapi, harvesters and open-data portals.

    /api/action/<name>  and  /api/3/action/<name>   (a trailing slash works too)

GET and POST alike, never a redirect (ckanapi refuses any 3xx), CSRF-exempt (nothing
here writes). Answers are CKAN's envelope, `{"help", "success": true, "result"}`, or
`{"help", "success": false, "error": {"__type", "message", ...}}` with CKAN's status
codes (ckan/views/api.py): 404 Not Found Error, 403 Authorization Error, 409 Validation
Error (one entry per refused parameter, as ckanapi's ValidationError reads it), 429
when the client's rate is spent. An action CKAN would not know, or a body that is not a
JSON object, answers 400 with a JSON string, "Bad request - ...", as CKAN does.

Unknown parameters are ignored. ckanapi sends its `apikey` raw, in Authorization and in
X-CKAN-API-Key: one of the catalog's tokens (`alc_...`) signs in as its user, as
`Authorization: Bearer alc_...` does; any other key reads as anonymous.
Throttled as the rest of the API (catalog.api.throttling). The actions are in
ckan_actions, the package mapping in ckan_packages, the search in ckan_search;
docs/integrations.md (CKAN) documents them (they are not in the OpenAPI schema).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.http.request import HttpHeaders
from django.urls import re_path, reverse
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import (
    APIException,
    AuthenticationFailed,
    NotAuthenticated,
    PermissionDenied,
    Throttled,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from catalog.api.authentication import ApiTokenAuthentication
from catalog.models import TOKEN_PREFIX
from catalog.protocols.ckan_actions import ACTIONS
from catalog.protocols.ckan_requests import (
    AuthorizationError,
    BadRequest,
    CkanError,
    action_parameters,
)
from catalog.replicas import reads_only

CONTENT_TYPE = "application/json;charset=utf-8"
WRITE_WORDS = {
    "create",
    "update",
    "patch",
    "delete",
    "purge",
    "member",
}


class CkanApiKeyAuthentication(ApiTokenAuthentication):
    """A token of ours sent as ckanapi sends keys: raw, with no scheme. It is checked
    exactly as a Bearer token is; a key that is not ours is not read at all."""

    def authenticate(self, request) -> tuple | None:
        key = request.META.get("HTTP_X_CKAN_API_KEY") or request.META.get("HTTP_AUTHORIZATION", "")
        if not key.startswith(TOKEN_PREFIX):
            return None
        return super().authenticate(_AsBearer(request, key))


class _AsBearer:
    """`request`, seen with `key` as its Bearer credentials."""

    def __init__(self, request, key: str):
        self._request = request
        self.META = {**request.META, "HTTP_AUTHORIZATION": f"Bearer {key}"}
        self.headers = HttpHeaders(self.META)

    def __getattr__(self, name: str):
        return getattr(self._request, name)


class ReadOnlySessionAuthentication(SessionAuthentication):
    """A signed-in member's session, without DRF's CSRF check: every action here only
    reads, so a forged request can change nothing (and another site cannot read the
    answer), while CKAN clients post without a CSRF token."""

    def enforce_csrf(self, request) -> None:
        return None


class CkanActionView(APIView):
    authentication_classes = [
        ApiTokenAuthentication,
        CkanApiKeyAuthentication,
        ReadOnlySessionAuthentication,
    ]
    renderer_classes = [JSONRenderer]
    parser_classes = []  # the body is read as CKAN reads it: ckan_requests.action_parameters
    schema = None  # not part of the OpenAPI schema; see docs/integrations.md (CKAN)

    def get(self, request, name: str) -> JsonResponse:
        action = ACTIONS.get(name)
        if action is None:
            raise BadRequest(_unknown_action(name))
        result = action(action_parameters(request._request), request)
        return self._answer({"success": True, "result": result})

    post = get

    def _answer(self, data: dict, status: int = 200, **headers) -> JsonResponse:
        help_url = self.request.build_absolute_uri(
            reverse("ckan-action-3", kwargs={"name": "help_show"})
        )
        name = self.kwargs.get("name", "")
        body = {"help": f"{help_url}?name={name}", **data}
        response = JsonResponse(body, status=status, content_type=CONTENT_TYPE)
        for header, value in headers.items():
            response[header] = value
        return response

    def handle_exception(self, exc: Exception):
        if isinstance(exc, BadRequest):
            return JsonResponse(str(exc), status=400, safe=False, content_type=CONTENT_TYPE)
        if isinstance(exc, (AuthenticationFailed, NotAuthenticated, PermissionDenied)):
            exc = AuthorizationError(str(exc.detail))
        if isinstance(exc, CkanError):
            return self._answer({"success": False, "error": exc.error()}, exc.status)
        if isinstance(exc, Throttled):
            headers = {"Retry-After": str(int(exc.wait))} if exc.wait is not None else {}
            error = {"__type": "Throttled", "message": str(exc.detail)}
            return self._answer({"success": False, "error": error}, exc.status_code, **headers)
        if isinstance(exc, APIException):
            error = {"__type": "Bad Request", "message": str(exc.detail)}
            return self._answer({"success": False, "error": error}, exc.status_code)
        return super().handle_exception(exc)


def _unknown_action(name: str) -> str:
    message = f"Action name not known: {name}"
    if any(word in name for word in WRITE_WORDS):
        message += " (this catalog's CKAN API only reads)"
    return f"{message}; known actions: {', '.join(ACTIONS)}"


# Nothing here writes: ckanapi posts its reads, and they go to a read replica too.
view = reads_only(CkanActionView.as_view())
urlpatterns = [
    # No trailing-slash redirect: ckanapi treats any 3xx as a failure.
    re_path(r"^api/action/(?P<name>[^/]+)/?$", view, name="ckan-action"),
    re_path(r"^api/3/action/(?P<name>[^/]+)/?$", view, name="ckan-action-3"),
]
