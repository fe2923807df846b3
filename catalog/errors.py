"""The site's answer to an error no view handled (`handler500`, alliance_site/urls.py).

When the database is unreachable (restarting, failing over, out of connections) the
catalog is unavailable, not broken: the answer is a 503 with `Retry-After`, which
browsers, load balancers and clients such as huggingface_hub and ckanapi know to retry,
instead of a 500 that says the catalog has a bug. Any other error stays a 500. Either way
Django logs it with its traceback, and API paths get JSON while pages get HTML.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

# How long a client should wait: about what a PostgreSQL restart or fail-over takes.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = "The catalog's database is not answering; please try again in a few seconds."
BROKEN = "Something went wrong on our side. The error has been logged."


def database_unreachable(error: BaseException | None) -> bool:
    """Whether `error` is the database failing to answer rather than a query being
    wrong: a connection refused, cut or closed, a lock or statement timeout. psycopg and
    sqlite3 raise these as OperationalError or InterfaceError (SQLite also raises a
    missing table as OperationalError; that 503 is logged with its traceback all the
    same)."""
    return isinstance(error, OperationalError | InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    unavailable = database_unreachable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE if unavailable else BROKEN}, status=status)
    else:
        # Rendered without the request: its context processors may need the database.
        template = "503.html" if unavailable else "500.html"
        response = HttpResponse(render_to_string(template), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
