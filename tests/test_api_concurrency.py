"""Writers racing: several threads PATCH one entry with the same If-Match at once.
Exactly one wins each round, the others get 412 with the winner's version; no update
is lost, nothing answers 500, and SQLite never says "database is locked".

Each thread has its own database connection (Django's are per thread), so the race
goes through the real locking of each engine: the row lock on PostgreSQL, the write
lock SQLite's IMMEDIATE transactions take at BEGIN. The SQLite test database lives in
memory, in shared-cache mode, which locks tables in its own way (it answers "database
table is locked" at once instead of waiting); a catalog runs on a file, in WAL mode. So
on SQLite the race runs on a file copy of the test database, with the settings the
catalog runs with.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from catalog.models import Artifact, ArtifactStatus, Membership, MembershipRole
from catalog.tokens import issue_token
from tests.factories import make_artifact, make_member, make_organization

ROUNDS = 50
WRITERS = 4


def race(url: str, secret: str, etag: str, round_number: int) -> list[tuple[int, str, str]]:
    """WRITERS threads send their PATCH at the same moment; their (status, summary sent,
    answer's summary or error)."""
    barrier = threading.Barrier(WRITERS)
    results: list = [None] * WRITERS

    def write(index: int) -> None:
        summary = f"Round {round_number}, writer {index}."
        client = Client(raise_request_exception=False)
        try:
            barrier.wait()
            response = client.patch(
                url,
                {"summary": summary},
                "application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IF_MATCH=etag,
            )
            answer = response.json().get("summary", "") if response.status_code < 500 else ""
            results[index] = (response.status_code, summary, answer)
        except Exception as error:
            results[index] = (0, summary, repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


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
        results = race(url, secret, etag, round_number)

        statuses = sorted(status for status, _, _ in results)
        assert statuses == [200] + [412] * (WRITERS - 1), results
        (winner,) = [summary for status, summary, _ in results if status == 200]
        now = in_a_thread(stored)
        assert now.summary == winner  # the one accepted write is the one kept
        assert now.etag != etag
        # The losers were shown the winner's version, to re-apply their change to.
        assert all(answer == winner for status, _, answer in results if status == 412)

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
        barrier = threading.Barrier(WRITERS)
        results: list = [None] * WRITERS

        def post(index: int, key: str, barrier=barrier, results=results) -> None:
            client = Client(raise_request_exception=False)
            try:
                barrier.wait()
                response = client.post(
                    "/api/v1/artifacts/",
                    {**body, "slug": key},
                    "application/json",
                    HTTP_AUTHORIZATION=f"Bearer {secret}",
                    HTTP_IDEMPOTENCY_KEY=key,
                )
                results[index] = (response.status_code, response.json())
            finally:
                connections.close_all()

        key = f"granite-{round_number}"
        threads = [threading.Thread(target=post, args=(i, key)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert [status for status, _ in results] == [201] * WRITERS, results
        # The first answer, each time (PostgreSQL's jsonb may order its keys otherwise).
        assert all(answer == results[0][1] for _, answer in results)
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
