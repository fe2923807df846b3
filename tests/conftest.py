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
