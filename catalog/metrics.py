"""Prometheus metrics: request latency and database queries by view, throttled requests,
search latency and the hit rate of the cached search counts.

Each process counts in its own registry. Under gunicorn, where every worker is a process,
set PROMETHEUS_MULTIPROC_DIR to an empty folder writable by the workers: prometheus-client
then keeps each worker's numbers in files there, `/metrics` adds up every worker's, and
the gunicorn configuration (`alliance_site/gunicorn_conf.py`) tells it when a worker is
gone. The folder must be emptied before the server starts (`make serve` does).

`/metrics` answers 404 unless CATALOG_METRICS_PUBLIC is on or CATALOG_METRICS_TOKEN is
set; with a token it asks for `Authorization: Bearer <token>` (401 otherwise).
"""

from __future__ import annotations

import hmac
import os
import time

from django.conf import settings
from django.db import connections
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from catalog.search.facets import looked_up
from catalog.search.query import searched

REQUEST_LATENCY = Histogram(
    "catalog_request_duration_seconds",
    "Time to answer a request, by view.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REQUEST_QUERIES = Histogram(
    "catalog_request_db_queries",
    "Database queries made to answer a request, by view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)
THROTTLED = Counter(
    "catalog_throttled_requests",
    "Requests refused for going over a rate limit (429), by view.",
    ["view"],
)
SEARCH_LATENCY = Histogram(
    "catalog_search_duration_seconds",
    "Time to run a search (match, filters, page, facets), by how q matched: all its "
    "words, some, or no q.",
    ["match"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CACHE_LOOKUPS = Counter(
    "catalog_count_cache_lookups",
    "Look-ups of cached search counts and facets, by result: hit or miss.",
    ["result"],
)


def _searched(sender, *, seconds: float, match: str, **kwargs) -> None:
    SEARCH_LATENCY.labels(match or "none").observe(seconds)


def _looked_up(sender, *, hit: bool, **kwargs) -> None:
    CACHE_LOOKUPS.labels("hit" if hit else "miss").inc()


def connect() -> None:
    """Count searches and cache look-ups; called once, from the app's ready()."""
    searched.connect(_searched, dispatch_uid="metrics-search")
    looked_up.connect(_looked_up, dispatch_uid="metrics-cache")


def view_name(request) -> str:
    """The URL pattern's name (`api:artifact-list`), never the raw path, so labels stay few."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or "<unnamed>"


class _QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = time.perf_counter()
        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        view = view_name(request)
        REQUEST_LATENCY.labels(view, request.method).observe(time.perf_counter() - started)
        REQUEST_QUERIES.labels(view).observe(counter.count)
        if response.status_code == 429:
            THROTTLED.labels(view).inc()
        return response


def _authorized(request) -> bool:
    token = settings.CATALOG_METRICS_TOKEN
    if not token:
        return settings.CATALOG_METRICS_PUBLIC
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


@never_cache
@require_GET
def metrics(request):
    if not settings.CATALOG_METRICS_TOKEN and not settings.CATALOG_METRICS_PUBLIC:
        raise Http404("Metrics are not published here.")
    if not _authorized(request):
        response = HttpResponse("A metrics token is needed.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
