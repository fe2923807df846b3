"""What researchers get while Redis or the database is down (catalog/cache.py,
catalog/errors.py): answers without the cache, and a 503 to retry instead of a 500.
`make loadtest` restarts both under load; these tests pin the behaviour down."""

import logging

import pytest
from django.db import connection
from django.db.utils import load_backend
from django.test import Client, override_settings
from django.urls import include, path
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from alliance_site.urls import handler500  # the site's own, as these URLs must use it
from catalog.cache import FailOpenRedisCache
from catalog.errors import RETRY_AFTER_SECONDS
from tests.factories import make_artifact

# Real clients against a port nothing listens on, not mocks.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"
DEAD_REDIS = {
    "default": {
        "BACKEND": "catalog.cache.FailOpenRedisCache",
        "LOCATION": DEAD_REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def dead_cache() -> FailOpenRedisCache:
    return FailOpenRedisCache(DEAD_REDIS_URL, {"OPTIONS": {"socket_connect_timeout": 1}})


# --- Redis down ----------------------------------------------------------------------------


def test_every_cache_operation_goes_on_without_redis(caplog):
    cache = dead_cache()
    with caplog.at_level(logging.WARNING, logger="catalog.cache"):
        assert cache.get("k", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("k") is False
        assert cache.add("k", 1) is False
        assert cache.set("k", 1) is None
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.touch("k") is False
        assert cache.incr("k", 3) == 3
        assert cache.delete("k") is False
        assert cache.delete_many(["a"]) is None
        assert cache.clear() is None
        assert cache.get_or_set("k", 7) == 7
    warnings = [r for r in caplog.records if r.name == "catalog.cache"]
    assert len(warnings) >= 12
    assert all("Redis did not answer" in r.getMessage() for r in warnings)


def test_ping_does_not_fail_open():
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        dead_cache().ping()


def test_rate_limits_let_requests_through_while_redis_is_down(rf):
    throttle = AnonRateThrottle()
    throttle.cache = dead_cache()
    throttle.rate = "1/minute"
    throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.rate)
    request = APIView().initialize_request(rf.get("/api/v1/artifacts/"))
    assert all(throttle.allow_request(request, None) for _ in range(3))


@pytest.mark.django_db
def test_searches_and_facets_answer_while_redis_is_down(client):
    make_artifact(name="Outage Model")
    with override_settings(CACHES=DEAD_REDIS):
        api = client.get("/api/v1/artifacts/", {"q": "outage", "facets": "kind,license"})
        page = client.get("/search/", {"q": "outage"})
    assert api.status_code == 200, api.content
    assert api.json()["count"] == 1
    assert api.json()["facets"]["kind"]
    assert page.status_code == 200
    assert "Outage Model" in page.content.decode()


# --- The database down ---------------------------------------------------------------------


def database_gone(request):
    """Connect the way the site does, to a database that is not there: a real error."""
    settings_dict = {**connection.settings_dict}
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/catalog.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT="1", OPTIONS={"connect_timeout": 2})
    gone = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="gone")
    gone.ensure_connection()


def broken(request):
    raise RuntimeError("a bug, not an outage")


urlpatterns = [
    path("api/v1/gone/", database_gone),
    path("gone/", database_gone),
    path("api/v1/broken/", broken),
    path("", include("alliance_site.urls")),
]


@pytest.fixture
def visitor() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.urls("tests.test_outages")
def test_api_answers_503_with_retry_after_while_the_database_is_unreachable(visitor):
    assert handler500 == "catalog.errors.server_error"
    response = visitor.get("/api/v1/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "database is not answering" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.urls("tests.test_outages")
def test_pages_answer_503_with_retry_after_while_the_database_is_unreachable(visitor):
    response = visitor.get("/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "unavailable for a moment" in response.content.decode()


@pytest.mark.urls("tests.test_outages")
def test_a_bug_stays_a_500_in_json_on_the_api(visitor):
    response = visitor.get("/api/v1/broken/")
    assert response.status_code == 500
    assert not response.has_header("Retry-After")
    assert response.json() == {
        "detail": "Something went wrong on our side. The error has been logged."
    }
