"""Django's Redis cache, failing open: a Redis that stops answering costs speed, not answers.

Everything the catalog keeps in the cache can be lost: rate-limit counts, cached search
counts and facets, sign-in failure counts. So when Redis is down or restarting, a read
finds nothing and a write keeps nothing, each logged at WARNING (`catalog.cache`), and the
request goes on: searches count afresh, and rate limits and sign-in failure limits are not
enforced until Redis is back. That is the trade made here: a restart of Redis must not
turn every request into a 500 (`make loadtest` restarts it under load).

`/readyz` still tells the truth: it calls `ping()`, which does not fail open.

Used when CACHE_URL is a redis:// URL (settings.py).
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("catalog.cache")
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    def _or(self, fallback, operation, *arguments):
        """`operation(*arguments)`, or `fallback` (logged) when Redis does not answer."""
        try:
            return operation(*arguments)
        except UNAVAILABLE as error:
            logger.warning(
                "Redis did not answer (%s: %s); going on without it.", operation.__name__, error
            )
            return fallback

    def ping(self) -> None:
        """Raise unless Redis answers (for /readyz)."""
        self._cache.get_client(write=True).ping()

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # On failure, every key is one that was not set.
        return self._or(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        return self._or(delta, super().incr, key, delta, version)  # as if counting began now

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        self._or(None, super().clear)
