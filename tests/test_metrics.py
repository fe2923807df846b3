"""/metrics: Prometheus numbers by view, published only when configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parent.parent


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.django_db
@override_settings(CATALOG_METRICS_PUBLIC=False, CATALOG_METRICS_TOKEN="")
def test_metrics_are_not_published_unless_configured(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
@override_settings(CATALOG_METRICS_PUBLIC=False, CATALOG_METRICS_TOKEN="s3cret-scraper-token")
def test_metrics_with_a_token_need_it(client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-it")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain")
    assert b"catalog_request_duration_seconds" in right.content


@pytest.mark.django_db
@override_settings(CATALOG_METRICS_PUBLIC=True)
def test_latency_and_queries_are_recorded_by_view(client, seeded):
    view = "api:artifact-list"
    count_before = sample("catalog_request_duration_seconds_count", view=view, method="GET")
    queries_before = sample("catalog_request_db_queries_sum", view=view)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/artifacts/?q=llama").status_code == 200
    assert len(queries) > 0
    after = sample("catalog_request_duration_seconds_count", view=view, method="GET")
    assert after == count_before + 1
    assert sample("catalog_request_db_queries_sum", view=view) == queries_before + len(queries)
    text = client.get("/metrics").content.decode()
    assert (
        'catalog_request_duration_seconds_bucket{le="0.1",method="GET",view="api:artifact-list"}'
        in text
    )


@pytest.mark.django_db
@override_settings(CATALOG_METRICS_PUBLIC=True, CATALOG_ANON_RATE="2/minute")
def test_throttled_requests_are_counted(client):
    view = "api:organization-list"
    before = sample("catalog_throttled_requests_total", view=view)
    statuses = [client.get("/api/v1/organizations/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert sample("catalog_throttled_requests_total", view=view) == before + 1


@pytest.mark.django_db
@override_settings(CATALOG_METRICS_PUBLIC=True)
def test_unknown_paths_share_one_label(client):
    before = sample("catalog_request_duration_seconds_count", view="<unresolved>", method="GET")
    client.get("/no/such/page/12345")
    after = sample("catalog_request_duration_seconds_count", view="<unresolved>", method="GET")
    assert after == before + 1
    assert b"12345" not in client.get("/metrics").content


def test_metrics_add_up_every_worker_process_with_a_multiprocess_dir(tmp_path):
    """Gunicorn's workers are processes: each counts in its own files, /metrics sums them."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DATABASE_URL"}},
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "CATALOG_METRICS_PUBLIC": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    def run(code: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    for _ in range(2):  # two workers, one after the other, each its own process
        run("from django.test import Client; Client().get('/healthz')")
    text = run("from django.test import Client; print(Client().get('/metrics').content.decode())")
    assert 'catalog_request_duration_seconds_count{method="GET",view="healthz"} 2.0' in text


@pytest.mark.django_db
def test_searches_and_cached_counts_are_counted(client):
    from tests.factories import make_artifact

    make_artifact("zorbo", name="Zorbo Model")
    searches = sample("catalog_search_duration_seconds_count", match="all")
    browses = sample("catalog_search_duration_seconds_count", match="none")
    misses = sample("catalog_count_cache_lookups_total", result="miss")
    hits = sample("catalog_count_cache_lookups_total", result="hit")
    assert client.get("/api/v1/artifacts/", {"q": "zorbo"}).status_code == 200
    assert sample("catalog_search_duration_seconds_count", match="all") == searches + 1
    # The whole catalog's facets are cached: counted once, then read.
    for _ in range(2):
        assert client.get("/api/v1/artifacts/", {"facets": "kind"}).status_code == 200
    assert sample("catalog_search_duration_seconds_count", match="none") == browses + 2
    assert sample("catalog_count_cache_lookups_total", result="miss") > misses
    assert sample("catalog_count_cache_lookups_total", result="hit") > hits
