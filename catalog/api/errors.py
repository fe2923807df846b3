"""Errors the framework leaves as HTML pages, answered in the API's JSON instead."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc, context) -> Response | None:
    """DRF's handler, plus a 413 naming the limit for a body over
    `DATA_UPLOAD_MAX_MEMORY_SIZE` (Django would answer an HTML 400), and a body that is
    not JSON answered as every other bad body is: under `non_field_errors`, as the
    writes answer a JSON body that is not an object."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is larger than the {limit:,} bytes an entry may take."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, ParseError):
        return Response({"non_field_errors": [str(exc.detail)]}, status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)
