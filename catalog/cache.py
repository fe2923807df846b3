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
    def unavailable(self, operation: str, error: Exception) -> None:
        logger.warning("Redis did not answer (%s: %s); going on without it.", operation, error)

    def ping(self) -> None:
        """Raise unless Redis answers (for /readyz)."""
        self._cache.get_client(write=True).ping()

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            self.unavailable("get", error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            self.unavailable("get_many", error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            self.unavailable("has_key", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            self.unavailable("add", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            self.unavailable("set", error)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            self.unavailable("set_many", error)
            return list(data)  # the keys that were not set

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            self.unavailable("touch", error)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as error:
            self.unavailable("incr", error)
            return delta  # as if the count started now

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            self.unavailable("delete", error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            self.unavailable("delete_many", error)

    def clear(self):
        try:
            super().clear()
        except UNAVAILABLE as error:
            self.unavailable("clear", error)
