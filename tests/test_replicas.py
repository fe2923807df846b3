"""Read replicas (catalog/replicas.py): reads where they may, writes and transactions on
the primary, a client's own change seen at once, a replica down or behind read around.

Everywhere (SQLite too), beside the primary: `replica`, an alias of the primary's own test
database (the test mirror DATABASE_REPLICA_URLS makes in tests); `replica_down`, a
database that cannot be reached; `replica_broken`, one that answers but holds no tables.
On PostgreSQL also `streaming`: a real streaming replica of the test server, made with
pg_basebackup (tests/streaming_replica.py). A request reads from a replica only outside
transactions of the primary, so these tests commit (`transaction=True`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager

import pytest
from django.db import connection, connections, router, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from catalog.models import Artifact, MembershipRole, Organization
from catalog.replicas import PIN_COOKIE, reads_from, replica_states
from catalog.search import backends, vocabulary
from catalog.search.facets import cached, invalidate_facet_cache
from catalog.search.syntax import parse_query
from catalog.tokens import issue_token
from tests import streaming_replica
from tests.factories import make_artifact, make_member, make_organization
from tests.test_settings import manage

PRIMARY = "default"
MIRRORED = ("default", "replica")
PG = ("default", "streaming")
commits = pytest.mark.django_db(transaction=True, databases="__all__")
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a streaming replica needs PostgreSQL"
)


def add_database(alias: str, **changes) -> None:
    """An alias beside the primary: its test settings with `changes`, as a test mirror
    (never created, migrated or flushed by the test runner)."""
    settings_dict = {**connections[PRIMARY].settings_dict, **changes}
    settings_dict["TEST"] = {**settings_dict["TEST"], "MIRROR": PRIMARY}
    connections.settings[alias] = settings_dict


def remove_database(alias: str) -> None:
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.fixture(scope="module", autouse=True)
def replica_aliases(django_db_setup, tmp_path_factory):
    if connection.vendor == "postgresql":
        down = {"HOST": "127.0.0.1", "PORT": 1, "OPTIONS": {"connect_timeout": 2}}
        # The primary's own database, where no catalog table is found.
        options = connections[PRIMARY].settings_dict["OPTIONS"]
        broken = {"OPTIONS": {**options, "options": "-c search_path=no_catalog_here"}}
    else:
        down = {"NAME": "/nonexistent/folder/catalog.sqlite3"}
        broken = {"NAME": str(tmp_path_factory.mktemp("broken") / "empty.sqlite3")}
    add_database("replica")
    add_database("replica_down", **down)
    add_database("replica_broken", **broken)
    yield
    for alias in ("replica", "replica_down", "replica_broken"):
        remove_database(alias)


@pytest.fixture(autouse=True)
def _fresh_states():
    replica_states.forget()
    yield
    replica_states.forget()


def served_by(action: Callable[[], object], aliases=MIRRORED) -> set[str]:
    """Which of `aliases` (databases that answer) `action` queried."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in aliases
        }
        action()
    return {alias for alias, queries in captured.items() if len(queries)}


# ------------------------------------------------------------------------------
# The router
# ------------------------------------------------------------------------------


def _read():
    return list(Organization.objects.all())


def _read_in_a_transaction():
    with transaction.atomic():
        return list(Organization.objects.all())


def _lock_in_a_transaction():
    with transaction.atomic():
        return list(Organization.objects.select_for_update())


def _write_then_read():
    Organization.objects.filter(slug="ibm").update(name="IBM Research")
    return list(Organization.objects.all())


def _search():
    return backends.current().match(parse_query("granite"), 10, ["published"])


def _did_you_mean():
    return vocabulary.corrections(["graniet"])


@commits
@pytest.mark.parametrize(
    ("action", "in_a_request", "expected"),
    [
        (_read, False, {"default"}),  # commands, the shell, migrations
        (_read, True, {"replica"}),
        (_search, True, {"replica"}),  # the search's own SQL
        (_did_you_mean, True, {"replica"}),
        (_read_in_a_transaction, True, {"default"}),
        (_lock_in_a_transaction, True, {"default"}),
        (_write_then_read, True, {"default"}),  # the write, and every read after it
    ],
)
def test_reads_go_to_the_replica_and_the_rest_to_the_primary(action, in_a_request, expected):
    make_artifact("granite", lead=make_organization("ibm"))
    with ExitStack() as stack:
        if in_a_request:
            stack.enter_context(reads_from("replica"))
        assert served_by(action) == expected


def test_each_replica_url_is_an_alias_the_tests_mirror_and_migrations_skip():
    probe = (
        "from django.conf import settings; from django.db import router; "
        "r = settings.DATABASES['replica2']; "
        "print(settings.CATALOG_READ_REPLICAS, r['HOST'], r['PORT'], r['TEST']['MIRROR'], "
        "r['OPTIONS']['connect_timeout'], router.allow_migrate('replica2', 'catalog'))"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        probe,
        DATABASE_URL="postgres://writer@db.internal:5432/catalog",
        DATABASE_REPLICA_URLS=(
            "postgres://reader@replica-a.internal:5432/catalog, "
            "postgres://reader@replica-b.internal:6432/catalog"
        ),
    )
    assert result.stdout.split() == [
        "['replica1',",
        "'replica2']",
        "replica-b.internal",
        "6432",
        "default",
        "2",
        "False",
    ], result.stderr


def test_migrations_never_touch_a_replica():
    with override_settings(CATALOG_READ_REPLICAS=["replica"]):
        assert router.allow_migrate("replica", "catalog", model_name="artifact") is False
        assert router.allow_migrate(PRIMARY, "catalog", model_name="artifact") is True


@commits
def test_facet_counts_read_from_a_replica_just_after_a_change_are_not_kept():
    computed = []

    def count():
        computed.append(1)
        return [("model", "Model", len(computed))]

    invalidate_facet_cache()
    with reads_from("replica"):
        cached("kind", count)
        cached("kind", count)
        assert len(computed) == 2  # might predate the change: used, not kept
        with override_settings(CATALOG_REPLICA_MAX_LAG_SECONDS=0, CATALOG_REPLICA_CHECK_SECONDS=0):
            time.sleep(0.01)  # the change is now older than any replica may trail
            cached("kind", count)
            cached("kind", count)
    assert len(computed) == 3
    invalidate_facet_cache()
    cached("kind", count)
    cached("kind", count)
    assert len(computed) == 4  # the primary's counts are kept at once


# ------------------------------------------------------------------------------
# Requests: where each reads
# ------------------------------------------------------------------------------


@pytest.fixture
def ibm():
    return make_organization("ibm")


@pytest.fixture
def entry(ibm):
    return make_artifact("granite-x", lead=ibm, summary="Granite, as first published.")


@pytest.fixture
def secret(ibm):
    editor = make_member(ibm, MembershipRole.EDITOR, "ibm-editor")
    return issue_token(user=editor, name="ci", organizations=[ibm], scopes=["read", "write"]).secret


def url(artifact) -> str:
    return f"/api/v1/artifacts/{artifact.namespace}/{artifact.slug}/"


def patch_summary(client: Client, artifact, secret: str, summary: str):
    return client.patch(
        url(artifact),
        {"summary": summary},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IF_MATCH=Artifact.objects.get(pk=artifact.pk).etag,
    )


@commits
@override_settings(CATALOG_READ_REPLICAS=["replica"])
def test_a_client_that_wrote_reads_the_primary_and_the_others_a_replica(entry, secret):
    writer, other = Client(), Client()
    assert served_by(lambda: other.get(url(entry))) == {"replica"}

    wrote = served_by(lambda: patch_summary(writer, entry, secret, "Granite, edited."))
    assert wrote == {"default"}  # what a write checks is read from the primary too
    assert writer.cookies[PIN_COOKIE]["max-age"] == 5
    assert served_by(lambda: writer.get(url(entry))) == {"default"}
    assert served_by(lambda: writer.get("/search/?q=granite")) == {"default"}
    assert served_by(lambda: other.get(url(entry))) == {"replica"}
    assert served_by(lambda: other.get("/search/?q=granite")) == {"replica"}

    forged = Client()
    forged.cookies[PIN_COOKIE] = "1"
    assert served_by(lambda: forged.get(url(entry))) == {"replica"}


@commits
@override_settings(CATALOG_READ_REPLICAS=["replica"], CATALOG_READ_PRIMARY_SECONDS=1)
def test_the_pin_to_the_primary_lasts_catalog_read_primary_seconds(entry, secret):
    writer = Client()
    assert patch_summary(writer, entry, secret, "Granite, edited.").status_code == 200
    assert served_by(lambda: writer.get(url(entry))) == {"default"}
    time.sleep(2.1)  # the signature's clock counts whole seconds
    assert served_by(lambda: writer.get(url(entry))) == {"replica"}


@commits
@override_settings(CATALOG_READ_REPLICAS=["replica"])
def test_reads_posted_to_ckan_go_to_a_replica_and_leave_no_pin(entry):
    client = Client()  # ckanapi posts every action, reads included

    def search():
        return client.post("/api/3/action/package_search", {"q": "granite"}, "application/json")

    assert served_by(search) == {"replica"}
    assert search().json()["result"]["count"] == 1
    assert PIN_COOKIE not in client.cookies


# ------------------------------------------------------------------------------
# A replica down: read around, never a 500; /readyz says so and stays 200
# ------------------------------------------------------------------------------


@commits
@pytest.mark.parametrize(("alias", "state"), [("replica", "ok"), ("replica_down", "unreachable")])
def test_readyz_reports_each_replica_and_stays_ready(client, alias, state):
    with override_settings(CATALOG_READ_REPLICAS=[alias]):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database:default": "ok", "cache": "ok"}
    assert body["replicas"][alias]["state"] == state


@commits
@override_settings(CATALOG_READ_REPLICAS=["replica_down"])
def test_an_unreachable_replica_is_read_around(client, entry):
    assert served_by(lambda: client.get(url(entry))) == {"default"}
    assert client.get(url(entry)).json()["summary"] == "Granite, as first published."


@commits
@override_settings(CATALOG_READ_REPLICAS=["replica_broken"])
def test_a_replica_failing_within_a_request_is_answered_again_from_the_primary(
    client, entry, caplog
):
    response = client.get(url(entry))  # answers the check, then fails the view's queries
    assert response.status_code == 200
    assert response.json()["summary"] == "Granite, as first published."
    assert "Read replica replica_broken failed" in caplog.text
    # It is left alone until CATALOG_REPLICA_DOWN_SECONDS pass.
    assert client.get("/readyz").json()["replicas"]["replica_broken"]["state"] == "unreachable"
    searched = served_by(lambda: client.get("/search/?q=granite"), ("default", "replica_broken"))
    assert searched == {"default"}


# ------------------------------------------------------------------------------
# A real streaming replica (PostgreSQL)
# ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def streaming(replica_aliases):
    """A streaming replica of the test server, as the alias `streaming`; built after the
    test database exists, so that it holds it too."""
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica needs PostgreSQL")
    try:
        replica = streaming_replica.build(connections[PRIMARY].settings_dict)
    except streaming_replica.CannotReplicate as reason:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but: {reason}")
        pytest.skip(f"no streaming replica can be made here: {reason}")
    print(f"streaming replica built in {replica.built_in_seconds} s")
    add_database("streaming", HOST="127.0.0.1", PORT=replica.port)
    yield replica
    remove_database("streaming")
    replica.destroy()


def replica_sql(sql: str):
    with connections["streaming"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


def streaming_state(client: Client) -> str:
    """The replica's state as /readyz reports it."""
    return client.get("/readyz").json()["replicas"]["streaming"]["state"]


@contextmanager
def reading_the_streaming_replica(**timings):
    """Requests read from the streaming replica, measured fit first; `timings` are the
    CATALOG_REPLICA_* settings from then on (each measure trusted 0 s otherwise)."""
    with override_settings(CATALOG_READ_REPLICAS=["streaming"], CATALOG_REPLICA_CHECK_SECONDS=0):
        wait_until(lambda: streaming_state(Client()) == "ok")
        with override_settings(**timings):
            yield


def summary_seen(client: Client, artifact, **headers) -> str:
    response = client.get(url(artifact), **headers)
    assert response.status_code == 200, response.content
    return response.json()["summary"]


@on_postgres
@commits
def test_a_writer_sees_its_change_at_once_while_others_read_the_streaming_replica(
    streaming, entry, secret
):
    token = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    # Trusted for an hour once measured, so only the pin keeps the writer off it.
    with reading_the_streaming_replica(CATALOG_REPLICA_CHECK_SECONDS=3600):
        writer, other = Client(), Client()
        assert summary_seen(other, entry) == "Granite, as first published."
        replica_sql("SELECT pg_wal_replay_pause()")
        try:
            response = patch_summary(writer, entry, secret, "Granite, edited by its makers.")
            assert response.status_code == 200, response.content
            assert summary_seen(writer, entry, **token) == "Granite, edited by its makers."
            assert summary_seen(other, entry) == "Granite, as first published."
            found = other.get("/api/v1/artifacts/?q=makers").json()["count"]
            assert (found, writer.get("/api/v1/artifacts/?q=makers").json()["count"]) == (0, 1)
        finally:
            replica_sql("SELECT pg_wal_replay_resume()")
        wait_until(lambda: summary_seen(other, entry) == "Granite, edited by its makers.")


@on_postgres
@commits
def test_a_streaming_replica_that_falls_behind_is_read_around(streaming, entry):
    with reading_the_streaming_replica(CATALOG_REPLICA_MAX_LAG_SECONDS=1):
        reader = Client()
        replica_sql("SELECT pg_wal_replay_pause()")
        try:
            Artifact.objects.filter(pk=entry.pk).update(summary="Granite, changed meanwhile.")
            wait_until(lambda: streaming_state(reader) == "behind")
            state = reader.get("/readyz").json()["replicas"]["streaming"]
            assert state["lag_seconds"] > 1
            assert summary_seen(reader, entry) == "Granite, changed meanwhile."
        finally:
            replica_sql("SELECT pg_wal_replay_resume()")
        wait_until(lambda: streaming_state(reader) == "ok")
        with override_settings(CATALOG_REPLICA_CHECK_SECONDS=3600):  # as just measured
            assert served_by(lambda: reader.get(url(entry)), PG) == {"streaming"}


@on_postgres
@commits
def test_a_stopped_streaming_replica_is_read_around_without_an_error(streaming, entry):
    with reading_the_streaming_replica(
        CATALOG_REPLICA_CHECK_SECONDS=3600, CATALOG_REPLICA_DOWN_SECONDS=3600
    ):
        reader = Client()
        assert served_by(lambda: reader.get(url(entry)), PG) == {"streaming"}
        streaming.stop()
        try:
            # Measured fit an hour's trust ago: the request finds it gone and is
            # answered from the primary.
            assert summary_seen(reader, entry) == "Granite, as first published."
            assert reader.get("/search/?q=granite").status_code == 200
            assert reader.get("/readyz").status_code == 200
            assert streaming_state(reader) == "unreachable"
        finally:
            streaming.start()
        with override_settings(CATALOG_REPLICA_CHECK_SECONDS=0, CATALOG_REPLICA_DOWN_SECONDS=0):
            wait_until(lambda: streaming_state(reader) == "ok")  # back once caught up
        assert served_by(lambda: reader.get(url(entry)), PG) == {"streaming"}
