"""One write benchmark cell: how many entries an integration registers per second.

Each round is what a release pipeline does (docs/api.md, "Register a release from CI"):
`POST /api/v1/artifacts/` a new draft with a license, tasks, contributors, sources and
sizes, then `POST .../submit/` with the ETag it answered. Both go through Django's test
client with a real API token, so authentication, the admin's form and formsets, history,
the search document and the workflow all run; only HTTP is left out. Prints JSON.

Run by benchmarks.run in a fresh process per backend, on a fresh database:
    DATABASE_URL=... python -m benchmarks.writes --rounds 200
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from contextlib import nullcontext

from benchmarks.measure import percentile

# Enough of a catalog for the entries to point at: organizations, licenses, taxonomy.
CATALOG_SIZE = 200


def body(number: int) -> dict:
    return {
        "slug": f"bench-model-{number}",
        "kind": "model",
        "lead_organization": "syn-1",
        "name": f"Bench Model {number}",
        "summary": "A model registered by the write benchmark.",
        "description": "Registered by `make bench`, as a release pipeline would.",
        "license_expression": "Apache-2.0",
        "release_date": "2026-11",
        "tasks": ["text-generation"],
        "contributors": ["syn-2"],
        "sources": [f"https://example.org/bench/{number}"],
        "parameters": [{"name": "7B", "parameters": 7_000_000_000}],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance_site.settings")
    os.environ["CATALOG_TOKEN_RATE"] = "100000000/second"  # noqa: S105 (a rate, not a secret)
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from catalog.models import Membership, MembershipRole, Organization
    from catalog.tokens import issue_token

    call_command("migrate", verbosity=0)
    call_command("generate_catalog", artifacts=CATALOG_SIZE, seed=1, verbosity=0)
    lead = Organization.objects.get(slug="syn-1")
    user = User.objects.create_user("bench-editor", is_staff=True)
    Membership.objects.create(user=user, organization=lead, role=MembershipRole.EDITOR)
    secret = issue_token(
        user=user, name="bench", organizations=[lead], scopes=["read", "write", "submit"]
    ).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def register(number: int, *, counting: bool = False) -> int:
        """One round; with `counting`, how many statements its two requests ran."""
        counted = 0

        def send(path: str, data: dict, **headers):
            nonlocal counted
            watch = CaptureQueriesContext(connection) if counting else nullcontext()
            with watch:
                response = client.post(path, data, "application/json", **headers)
            counted += len(watch.captured_queries) if counting else 0
            return response

        created = send("/api/v1/artifacts/", body(number))
        assert created.status_code == 201, created.content
        submitted = send(created["Location"] + "submit/", {}, HTTP_IF_MATCH=created["ETag"])
        assert submitted.status_code == 200, submitted.content
        return counted

    register(0)  # warm up
    queries = register(1, counting=True)
    rounds = []
    started = time.perf_counter()
    for number in range(2, args.rounds + 2):
        begin = time.perf_counter()
        register(number)
        rounds.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    print(
        json.dumps(
            {
                "rounds": args.rounds,
                "per_second": args.rounds / elapsed,
                "p50": statistics.median(rounds) * 1000,
                "p95": percentile(rounds, 0.95) * 1000,
                "queries": queries,
            }
        )
    )


if __name__ == "__main__":
    main()
