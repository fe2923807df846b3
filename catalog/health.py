"""Liveness (`/healthz`) and readiness (`/readyz`) for load balancers and orchestrators.

`/healthz` answers whether the process serves and reaches its database; `/readyz` whether
it should be sent traffic: the primary database answers a query and the cache answers
and holds a value it was just given (the Redis cache fails open for requests, not here).
`/readyz` also says how this process finds each read replica
(catalog/replicas.py); a replica down or behind is read around, so it leaves the answer
200. Both are never cached and refuse writes.
"""

import uuid
from time import monotonic

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from catalog.replicas import replicas_report


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def check_database(alias: str) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


def check_cache() -> str:
    """A set/get round trip with a key of its own, so concurrent probes never collide."""
    key = f"readyz:{uuid.uuid4().hex}"
    cache = caches["default"]
    try:
        if hasattr(cache, "ping"):  # catalog.cache.FailOpenRedisCache would hide an outage
            cache.ping()
        cache.set(key, "ok", timeout=10)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:  # any cache client error means not ready
        return f"unreachable: {type(error).__name__}"
    return "ok" if value == "ok" else "unreliable: a value just set was not read back"


@never_cache
@require_GET
def readyz(request):
    checks = {
        f"database:{DEFAULT_DB_ALIAS}": check_database(DEFAULT_DB_ALIAS),
        "cache": check_cache(),
    }
    failed = [name for name, result in checks.items() if result != "ok"]
    body = {"status": "error", "failed": failed} if failed else {"status": "ok"}
    body["checks"] = checks
    if settings.CATALOG_READ_REPLICAS:
        body["replicas"] = replicas_report(now=monotonic())
    return JsonResponse(body, status=503 if failed else 200)
