import pytest
from django.db import connection

from catalog.seeding import load_seeds


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def seeded(db):
    """The real catalog from seeds/, loaded into the test database."""
    load_seeds()


@pytest.fixture
def backend() -> str:
    return connection.vendor


@pytest.fixture(scope="module")
def seeded_catalog(django_db_setup, django_db_blocker):
    """The real catalog, loaded once for a module of read-only tests and rolled back after.

    Each test still runs in its own savepoint (through the `db` fixture), so a test
    that writes leaves the next one the catalog as seeded.
    """
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        load_seeds()
        yield
        transaction.set_rollback(True)
