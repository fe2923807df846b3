"""API tokens over HTTP: `Authorization: Bearer alc_...`.

- A live token of ours authenticates as its user; `request.auth` is the `ApiToken`, so a
  write view asks `request.auth.allows(scope, organization)`. Beyond what is public,
  the user then reads only the entries of the organizations the token acts for (a token
  made for one organization does not show its user's other organizations' drafts).
- A token of ours (it starts with `alc_`) that is unknown, expired or revoked, or whose
  user is inactive, answers 401 with `WWW-Authenticate: Bearer realm="api",
  error="invalid_token"` and a message that never repeats the token.
- Any other Bearer value (people send their Hugging Face token everywhere) is not ours:
  the request goes on as anonymous (or as the signed-in session), and the value is
  never echoed nor logged.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from catalog.models import TOKEN_PREFIX, ApiToken
from catalog.models.roles import narrow_to_organizations
from catalog.tokens import find_token

KEYWORD = b"bearer"
UNKNOWN = "This API token is not valid. Check that it was copied whole, or create a new one."
EXPIRED = "This API token has expired. Create a new one in the admin."
REVOKED = "This API token was revoked. Create a new one in the admin."
INACTIVE = "The account of this API token is inactive."
MALFORMED = "Send the API token as 'Authorization: Bearer alc_...', with nothing after it."
# Set on the request when a token of ours was refused, so the 401 says why in its header.
REFUSED_MARK = "_catalog_token_refused"


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request) -> tuple | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        values = [part.decode("latin-1") for part in parts[1:]]
        if not any(value.startswith(TOKEN_PREFIX) for value in values):
            return None  # not ours: anonymous, and never echoed
        if len(values) != 1:
            self._refuse(request, MALFORMED)
        token = find_token(values[0])
        if token is None:
            self._refuse(request, UNKNOWN)
        if token.is_revoked:
            self._refuse(request, REVOKED)
        if token.is_expired():
            self._refuse(request, EXPIRED)
        if not token.user.is_active:
            self._refuse(request, INACTIVE)
        token.record_use()
        # The token acts for some of its user's organizations: it reads no further.
        narrow_to_organizations(token.user, token.effective_organization_ids)
        return token.user, token

    def _refuse(self, request, message: str):
        setattr(request, REFUSED_MARK, True)
        raise AuthenticationFailed(message)

    def authenticate_header(self, request) -> str:
        if getattr(request, REFUSED_MARK, False):
            return 'Bearer realm="api", error="invalid_token"'
        return 'Bearer realm="api"'


def request_token(request) -> ApiToken | None:
    """The token the request came with, if it authenticated with one."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema, as an HTTP bearer scheme."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`alc_...`) created in the admin or with "
            "`manage.py create_token`.",
        }
