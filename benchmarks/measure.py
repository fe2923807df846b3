"""One benchmark cell: build a synthetic catalog in the configured database, then time
the API on the query mix and the same SQL statements run alone. Prints JSON.

Run by benchmarks.run in a fresh process per backend and size:
    DATABASE_URL=... python -m benchmarks.measure --artifacts 10000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

REPEAT = 25


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def query_mix(seed: int, artifacts: int) -> dict[str, dict]:
    from benchmarks.synthetic import vocabulary

    words = vocabulary(seed).words
    filters = {"kind": "model", "license": "Apache-2.0", "task": "text-generation"}
    return {
        "rare word": {"q": words[4000]},
        "two words": {"q": f"{words[40]} {words[400]}"},
        # words[0] is "model", which reads as the kind filter, not as a word.
        "common word": {"q": words[1]},
        "common word + organization": {"q": words[1], "organization": "syn-40"},
        "filters only": filters,
        "filters with facets": {
            **filters,
            "facets": "kind,organization,license,license_category,openness_class,task,"
            "modality,language",
        },
        "deep page": {"ordering": "name", "page": max(1, artifacts // 40)},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifacts", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_site.settings")
    os.environ["CATALOG_ANON_RATE"] = "100000000/second"  # measure search, not the throttle
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from benchmarks.urls import BASELINE_URL, FrameworkBaseline

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_catalog", artifacts=args.artifacts, seed=args.seed, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    build_seconds = time.perf_counter() - started

    client = Client()
    results = {}
    for label, params in query_mix(args.seed, args.artifacts).items():
        response = client.get("/api/v1/artifacts/", params)  # warm up (and fill caches)
        assert response.status_code == 200, response.content
        body = response.json()
        api = []
        for _ in range(REPEAT):
            begin = time.perf_counter()
            client.get("/api/v1/artifacts/", params)
            api.append(time.perf_counter() - begin)
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v1/artifacts/", params)
        statements = [q["sql"] for q in captured.captured_queries]
        floor = []
        with connection.cursor() as cursor:
            for _ in range(REPEAT):
                begin = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()
                floor.append(time.perf_counter() - begin)
        FrameworkBaseline.body = body
        framework = []
        with override_settings(ROOT_URLCONF="benchmarks.urls"):
            client.get(BASELINE_URL, params)
            for _ in range(REPEAT):
                begin = time.perf_counter()
                client.get(BASELINE_URL, params)
                framework.append(time.perf_counter() - begin)
        results[label] = {
            "params": {k: str(v) for k, v in params.items()},
            "count": body["count"],
            "queries": len(statements),
            "api_p50": statistics.median(api) * 1000,
            "api_p95": percentile(api, 0.95) * 1000,
            "floor_p50": statistics.median(floor) * 1000,
            "framework_p50": statistics.median(framework) * 1000,
        }
        cache.clear()
    print(json.dumps({"build_seconds": build_seconds, "results": results}))


if __name__ == "__main__":
    main()
