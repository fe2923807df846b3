import pytest
from django.db import connection, transaction

from catalog.seeding import load_seeds
from tests import seeded_snapshot


def pytest_configure(config):
    # Django's default hasher is slow on purpose (about a second of CPU per password
    # here); the suite creates hundreds of accounts and tests sign-in, not hashing.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def seeded_rows(django_db_setup, django_db_blocker):
    """The rows a real `load_seeds()` adds, captured once per test process."""
    with django_db_blocker.unblock(), transaction.atomic():
        rows = seeded_snapshot.capture(load_seeds)
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def seeded(db, seeded_rows):
    """The real catalog from seeds/, in the test database for this test."""
    seeded_snapshot.restore(seeded_rows)


@pytest.fixture
def backend() -> str:
    return connection.vendor


@pytest.fixture(scope="module")
def seeded_catalog(seeded_rows, django_db_blocker):
    """The real catalog, written once for a module of read-only tests and rolled back after.

    Each test still runs in its own savepoint (through the `db` fixture), so a test
    that writes leaves the next one the catalog as seeded.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        seeded_snapshot.restore(seeded_rows)
        yield
        transaction.set_rollback(True)
