"""What every write over the API shares: an API token, the entry found as its writer
may see it and locked, and the entry's ETag matched against `If-Match`.

- Writes authenticate with API tokens only (`Authorization: Bearer alc_...`); without
  one the answer is 401 with the Bearer challenge. A signed-in session does not write
  over the API: the admin is its place.
- What the token's user cannot see is 404, what they can see but not change is 403.
- Every entry's ETag is `"<pk>.<edit_count>"`; `edit_count` moves on with every save
  of the entry, whoever makes it (`Artifact.save`). A write must send the ETag it read
  in `If-Match`: none answers 428, one that is no longer current 412 with the entry as
  it is now, so a writer never overwrites a change they have not seen. The comparison
  happens with the row locked, inside the write's transaction.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.api.authentication import ApiTokenAuthentication, request_token
from catalog.api.serializers import ArtifactDetailSerializer, artifact_detail_queryset
from catalog.models import Artifact, Contribution, ContributionRole

WRITES_NEED_BEARER = "Writes need an API token: send 'Authorization: Bearer alc_...'."
IF_MATCH_REQUIRED = (
    "Send the entry's ETag in If-Match (read it from GET on the entry), so that your "
    "write cannot overwrite a change you have not seen."
)
IF_MATCH_WILDCARD = (
    "If-Match: * would overwrite whatever the entry holds now; send the entry's ETag."
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = IF_MATCH_REQUIRED
    default_code = "precondition_required"


class TokenRequired(BasePermission):
    """Only a request with a live API token of ours may write."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is None:
            raise NotAuthenticated(WRITES_NEED_BEARER)
        return True


class TokenWrites:
    """For views that write: token authentication only (reads keep the defaults) and
    JSON bodies."""

    def _writes(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.method not in SAFE_METHODS

    def get_authenticators(self) -> list:
        return [ApiTokenAuthentication()] if self._writes() else super().get_authenticators()

    def get_permissions(self) -> list:
        return [TokenRequired()] if self._writes() else super().get_permissions()

    def get_parsers(self) -> list:
        return [JSONParser()] if self._writes() else super().get_parsers()


class TokenWriteMixin(TokenWrites):
    """For views that write entries: `TokenWrites`, and the entry as its writer sees it."""

    def locked_entry(self, request: Request, namespace: str, slug: str) -> Artifact:
        """The entry, if the token's user may see it (else 404), locked for this write."""
        visible = Artifact.objects.visible_to(request.user).filter(namespace=namespace, slug=slug)
        pk = get_object_or_404(visible.values_list("pk", flat=True))
        return Artifact.objects.locked().get(pk=pk)

    def entry_response(self, request: Request, artifact: Artifact, status_code: int = 200):
        """The entry as GET on it shows it to this writer, with its ETag."""

        fresh = artifact_detail_queryset(Artifact.objects.visible_to(request.user)).get(
            pk=artifact.pk
        )
        data = ArtifactDetailSerializer(fresh, context={"request": request}).data
        return Response(data, status=status_code, headers={"ETag": fresh.etag})

    def stale_response(self, request: Request, artifact: Artifact) -> Response | None:
        """428 without If-Match, 412 (with the entry as it is now) when it is stale,
        None when the writer saw the current version."""
        header = request.headers.get("If-Match", "").strip()
        if not header:
            raise PreconditionRequired()
        tags = [tag.strip() for tag in header.split(",")]
        if "*" in tags:
            raise PreconditionRequired(IF_MATCH_WILDCARD)
        if artifact.etag in tags:
            return None
        return self.entry_response(request, artifact, status.HTTP_412_PRECONDITION_FAILED)


def lead_organization_id(artifact: Artifact) -> int | None:
    return (
        Contribution.objects.filter(artifact_id=artifact.pk, role=ContributionRole.LEAD)
        .values_list("organization_id", flat=True)
        .first()
    )
