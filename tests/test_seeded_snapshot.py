"""The seeded catalog the tests share is the one a real load of the seeds makes."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction

from catalog.seeding import load_seeds
from tests import seeded_snapshot

# When a row was written: the snapshot's rows were written earlier in the test run.
WRITE_TIMES = {"created_at", "updated_at"}


def without_write_times(document: dict) -> dict:
    return {key: value for key, value in document.items() if key not in WRITE_TIMES}


def catalog_as_the_public_and_the_tables_see_it(client) -> tuple:
    cache.clear()  # the API's rate limit, not the catalog, would answer the second pass
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }
    listing = client.get("/api/v1/artifacts/", {"page_size": 100, "ordering": "name"}).json()
    details = [
        without_write_times(client.get(f"/api/v1/artifacts/{entry['id']}/").json())
        for entry in listing["results"]
    ]
    searches = [
        client.get("/api/v1/artifacts/", {"q": q, "facets": "kind,license"}).json()
        for q in ("language model", "graniet")  # the second needs the index's vocabulary
    ]
    listing["results"] = [without_write_times(entry) for entry in listing["results"]]
    listing.pop("next")  # a signed cursor, new at every request
    for search in searches:
        search["results"] = [without_write_times(entry) for entry in search["results"]]
    with connection.cursor() as cursor:
        # SQLite's full-text index is left out: its inner pages differ with the order of
        # writes; the searches above read it.
        for table in seeded_snapshot.tables():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts, listing, details, searches


@pytest.mark.django_db
def test_the_shared_snapshot_equals_a_real_load(client, seeded_rows):
    with transaction.atomic():
        seeded_snapshot.restore(seeded_rows)
        restored = catalog_as_the_public_and_the_tables_see_it(client)
        transaction.set_rollback(True)
    load_seeds()
    loaded = catalog_as_the_public_and_the_tables_see_it(client)

    assert restored[1]["count"] >= 60
    assert restored[0]["catalog.Artifact"] == restored[1]["count"]
    assert restored == loaded
