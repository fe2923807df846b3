"""Writers racing: several threads PATCH one entry with the same If-Match at once.
Exactly one wins each round, the others get 412 with the winner's version; no update
is lost, nothing answers 500, and SQLite never says "database is locked". Writers that
would close a lineage cycle together race too: one wins, the others get 400.

Each thread has its own database connection (Django's are per thread), so the race
goes through the real locking of each engine: the row lock on PostgreSQL, the write
lock SQLite's IMMEDIATE transactions take at BEGIN. The SQLite test database lives in
memory, in shared-cache mode, which locks tables in its own way (it answers "database
table is locked" at once instead of waiting); a catalog runs on a file, in WAL mode. So
on SQLite the race runs on a file copy of the test database, with the settings the
catalog runs with.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

from catalog.models import (
    Artifact,
    ArtifactStatus,
    Membership,
    MembershipRole,
    Relation,
    RelationType,
)
from catalog.tokens import issue_token
from tests.factories import make_artifact, make_member, make_organization

# Each PATCH round has the next number of writers in WRITERS, so 50 rounds run each
# number 7 times or more. 200 rounds took 124 s on SQLite and 152 s on PostgreSQL with
# 2 to 8 writers (50 s and 65 s with 4), on two busy cores: CI runs them (.ci/run sets
# RACE_ROUNDS=200), `make test` on a laptop the 50.
ROUNDS = int(os.environ.get("RACE_ROUNDS", "50"))
WRITERS = range(2, 9)
CYCLE_ROUNDS = 10


def race(writes: list[Callable[[Client], HttpResponse]]) -> list[HttpResponse | Exception]:
    """Each write runs in a thread of its own, all let go at the same moment; their
    responses (or what a write raised), in the order given."""
    barrier = threading.Barrier(len(writes))
    results: list = [None] * len(writes)

    def run(index: int) -> None:
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            results[index] = writes[index](client)
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(writes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def patch(url: str, body: dict, *, secret: str, etag: str) -> Callable[[Client], HttpResponse]:
    def write(client: Client) -> HttpResponse:
        return client.patch(
            url,
            body,
            "application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
            HTTP_IF_MATCH=etag,
        )

    return write


def status_of(result: HttpResponse | Exception) -> int:
    return getattr(result, "status_code", 0)


def in_a_thread(work: Callable):
    """Run `work` on a connection of its own (so on the racing database), return its result."""
    result: list = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result[0]


@pytest.fixture
def racing_database(tmp_path):
    """Where the threads' connections go: the test database itself on PostgreSQL; on
    SQLite a file copy of it (see the module's docstring). Called once the rows exist."""
    settings = connection.settings_dict
    original = settings["NAME"]

    def prepare() -> None:
        if connection.vendor != "sqlite":
            return
        path = tmp_path / "race.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        settings["NAME"] = str(path)

    yield prepare
    settings["NAME"] = original


@pytest.mark.django_db(transaction=True)
def test_one_writer_wins_each_round_and_no_update_is_lost(racing_database):
    organization = make_organization("ibm")
    editor = make_member(organization, MembershipRole.EDITOR, "ibm-editor")
    secret = issue_token(
        user=editor, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    entry = make_artifact("granite", lead=organization, status=ArtifactStatus.DRAFT)
    url = "/api/v1/artifacts/ibm/granite/"
    racing_database()

    def stored() -> Artifact:
        return Artifact.objects.get(pk=entry.pk)

    for round_number in range(ROUNDS):
        etag = in_a_thread(stored).etag
        writers = WRITERS[round_number % len(WRITERS)]
        summaries = [f"Round {round_number}, writer {i}." for i in range(writers)]
        writes = [patch(url, {"summary": s}, secret=secret, etag=etag) for s in summaries]
        results = race(writes)

        statuses = sorted(status_of(result) for result in results)
        assert statuses == [200] + [412] * (writers - 1), results
        (winner,) = [s for s, r in zip(summaries, results, strict=True) if status_of(r) == 200]
        now = in_a_thread(stored)
        assert now.summary == winner  # the one accepted write is the one kept
        assert now.etag != etag
        # The losers were shown the winner's version, to re-apply their change to.
        assert all(r.json()["summary"] == winner for r in results if status_of(r) == 412)

    def api_versions() -> int:
        history = Artifact.history.filter(id=entry.pk)
        return history.filter(history_change_reason__startswith="Changed over the API").count()

    assert in_a_thread(api_versions) == ROUNDS


@pytest.mark.django_db(transaction=True)
def test_racing_retries_with_one_idempotency_key_create_one_entry(racing_database):
    organization = make_organization("ibm")
    editor = make_member(organization, MembershipRole.EDITOR, "ibm-editor")
    secret = issue_token(
        user=editor, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    racing_database()
    body = {
        "slug": "granite-4",
        "kind": "model",
        "name": "Granite 4",
        "summary": "A family of open models.",
        "lead_organization": "ibm",
    }
    for round_number in range(5):
        key = f"granite-{round_number}"

        def post(client: Client, key=key) -> HttpResponse:
            return client.post(
                "/api/v1/artifacts/",
                {**body, "slug": key},
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IDEMPOTENCY_KEY=key,
            )

        results = race([post] * 4)

        assert [status_of(result) for result in results] == [201] * 4, results
        # The first answer, each time (PostgreSQL's jsonb may order its keys otherwise).
        answers = [result.json() for result in results]
        assert all(answer == answers[0] for answer in answers)
        assert in_a_thread(lambda key=key: Artifact.objects.filter(slug=key).count()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_stepping_each_other_down_at_once_leave_one_admin(racing_database):
    """Each of an organization's two admins removes (or demotes) the other at the same
    moment: one is done, the other refused, and the organization keeps an admin."""
    rounds = []
    for round_number in range(10):
        organization = make_organization(f"org-{round_number}")
        admins = [
            make_member(organization, MembershipRole.ADMIN, f"admin-{round_number}-{i}")
            for i in range(2)
        ]
        secrets = [
            issue_token(
                user=admin, name="ci", organizations=[organization], scopes=["read", "write"]
            ).secret
            for admin in admins
        ]
        rounds.append((organization, admins, secrets))
    racing_database()

    for round_number, (organization, admins, secrets) in enumerate(rounds):
        demote = round_number % 2 == 1
        requests = [
            (
                f"/api/v1/organizations/{organization.slug}/members/{admins[1 - i].username}/",
                {"HTTP_AUTHORIZATION": f"Bearer {secrets[i]}"},
            )
            for i in range(2)
        ]
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def step_down(index, url, headers, demote=demote, barrier=barrier, results=results):
            client = Client(raise_request_exception=False)
            try:
                barrier.wait()
                if demote:
                    response = client.patch(url, {"role": "editor"}, "application/json", **headers)
                else:
                    response = client.delete(url, **headers)
                results[index] = (response.status_code, response.content[:200])
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=step_down, args=(i, *request))
            for i, request in enumerate(requests)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        # Taken one after the other: the second admin has lost their role meanwhile, so
        # is answered as the editor (403) or outsider (404) they now are.
        expected = [200, 403] if demote else [204, 404]
        assert sorted(status for status, _ in results) == expected, results

        def admins_left(organization=organization) -> int:
            return Membership.objects.filter(organization=organization).admins().count()

        assert in_a_thread(admins_left) == 1


# Lineage writers racing: each PATCHes its own entry's `relations` (fine-tuned from the
# entries listed). Alone, each write is fine; any two of them together close a cycle.
# Case: (edges already there, each writer's entry -> the entries it says it comes from).
CYCLES = {
    "two entries, each from the other": ([], {"a": ["b"], "b": ["a"]}),
    "a ring of three": ([("a", "b")], {"b": ["c"], "c": ["a"]}),
    "four entries, each from all the others": (
        [],
        {name: [other for other in "abcd" if other != name] for name in "abcd"},
    ),
}


def closes_a_cycle(edges: set[tuple[str, str]]) -> bool:
    """Whether following the edges from some entry leads back to it."""
    remaining = set(edges)
    while remaining:  # peel off edges into entries nothing comes from
        sources = {source for source, _ in remaining}
        leaves = {(s, t) for s, t in remaining if t not in sources}
        if not leaves:
            return True
        remaining -= leaves
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("already", "writers"), CYCLES.values(), ids=CYCLES)
def test_of_writers_closing_a_lineage_cycle_together_exactly_one_wins(
    racing_database, already, writers
):
    organization = make_organization("ibm")
    editor = make_member(organization, MembershipRole.EDITOR, "ibm-editor")
    secret = issue_token(
        user=editor, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    entries = {
        name: make_artifact(f"model-{name}", lead=organization, status=ArtifactStatus.DRAFT)
        for name in "abcd"
    }
    kept = {
        Relation.objects.create(
            source=entries[source],
            relation_type=RelationType.FINE_TUNED_FROM,
            target=entries[target],
        ).pk
        for source, target in already
    }
    racing_database()

    def start_round() -> dict[str, str]:
        """The edges the last round added gone; each entry's ETag."""
        Relation.objects.exclude(pk__in=kept).delete()
        return {name: Artifact.objects.get(pk=entry.pk).etag for name, entry in entries.items()}

    def stored_edges() -> set[tuple[str, str]]:
        rows = Relation.objects.values_list("source__slug", "target__slug")
        return {
            (source.removeprefix("model-"), target.removeprefix("model-"))
            for source, target in rows
        }

    for _ in range(CYCLE_ROUNDS):
        etags = in_a_thread(start_round)
        writes = [
            patch(
                f"/api/v1/artifacts/ibm/model-{name}/",
                {
                    "relations": [
                        {"type": "fine_tuned_from", "artifact": f"ibm/model-{target}"}
                        for target in targets
                    ]
                },
                secret=secret,
                etag=etags[name],
            )
            for name, targets in writers.items()
        ]
        results = race(writes)

        statuses = sorted(status_of(result) for result in results)
        assert statuses == [200] + [400] * (len(writers) - 1), results
        for result in results:
            if status_of(result) == 400:
                messages = result.json()["relations"]
                assert all("This would make a lineage cycle" in m for m in messages), messages
        (winner,) = [
            name for name, result in zip(writers, results, strict=True) if status_of(result) == 200
        ]
        # All or nothing: the winner's edges and those already there, no loser's.
        edges = in_a_thread(stored_edges)
        assert edges == {*already, *((winner, target) for target in writers[winner])}
        assert not closes_a_cycle(edges)
