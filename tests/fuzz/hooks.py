"""Schemathesis hooks for `make fuzz` (loaded by tests/fuzz/schemathesis.toml).

A write to an entry must send the entry's current ETag in If-Match, which no generator
can guess: a generated If-Match is always stale (412). So the configuration gives
If-Match the value CURRENT_ETAG for some of the generated requests, and before such a
request is sent this hook asks the server for the entry's ETag and sends that instead:
those writes get past the precondition into the form, the workflow and the database.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request

import schemathesis
from hypothesis.internal import lambda_sources

CURRENT_ETAG = "current-etag"


# Hypothesis names a filter's lambda by parsing the source file it is in. On this
# machine's CPython 3.11.7 that parse can raise "SystemError: AST constructor recursion
# depth mismatch" (a CPython 3.11 bug, gh-106905), which stopped the coverage phase of
# GET /api/v1/artifacts/. The name is only for display: without it the lambda is shown
# as Hypothesis shows one whose source it cannot read.
_describe_lambda = lambda_sources.lambda_description


def _lambda_description(f) -> str:
    try:
        return _describe_lambda(f)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources.lambda_description = _lambda_description


def current_etag(entry_url: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (the served catalog, on 127.0.0.1)
        entry_url, headers={"Authorization": f"Bearer {os.environ['FUZZ_TOKEN']}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.headers.get("ETag", "")
    except urllib.error.HTTPError:
        return '"no such entry"'  # a 404 for the write too


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if not case.headers or case.headers.get("If-Match") != CURRENT_ETAG:
        return
    parameters = case.path_parameters or {}
    namespace, slug = (
        urllib.parse.quote(str(parameters.get(name, "")), safe="") for name in ("namespace", "slug")
    )
    base = case.operation.base_url.rstrip("/")
    case.headers["If-Match"] = current_etag(f"{base}/api/v1/artifacts/{namespace}/{slug}/")
