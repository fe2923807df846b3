"""Rate limits, in four buckets that count apart, so that no bucket empties another:

- `anon`: anonymous API clients, by address, at CATALOG_ANON_RATE (120/minute);
- `user`: signed-in members' API requests, by account, at CATALOG_USER_RATE
  (1200/minute);
- `token`: requests with an API token, by token, at CATALOG_TOKEN_RATE (2400/minute),
  so an integration's pipeline never uses up its owner's own allowance (nor another
  token's);
- `page`: the search page, by account when signed in, else by address, at
  CATALOG_PAGE_RATE (600/minute).

Each scope names its cache keys (`throttle_<scope>_<who>`), so no bucket counts another's
requests.

A script hammering the API empties only its own bucket: its owner's browser still
searches. The page rate is far above what a person browsing does; it is there to stop a
flood, which is why the page keeps a bucket at all (it runs the same search as the API).

Rates are read at request time, so a deployment changes them through the environment
alone (settings.py checks their form at start). Counts live in Django's cache: Redis in
production, shared by all processes; while Redis is down nothing is counted and nothing
refused (catalog/cache.py fails open). The API answers 429 with `Retry-After`; the search
page answers with templates/429.html (catalog.web.throttled).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from catalog.api.authentication import request_token

PERIOD_NAMES = {"s": "second", "m": "minute", "h": "hour", "d": "day"}


class CatalogAnonThrottle(AnonRateThrottle):
    """Anonymous API clients, by address. Signed-in members are not counted here."""

    scope = "anon"

    def get_rate(self) -> str:
        return settings.CATALOG_ANON_RATE


class CatalogUserThrottle(UserRateThrottle):
    """Signed-in members' API requests, by account, at their higher rate."""

    scope = "user"

    def get_rate(self) -> str:
        return settings.CATALOG_USER_RATE

    def get_cache_key(self, request, view) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None  # CatalogAnonThrottle counts them
        if request_token(request) is not None:
            return None  # CatalogTokenThrottle counts them
        return super().get_cache_key(request, view)


class CatalogTokenThrottle(SimpleRateThrottle):
    """Requests with an API token, by token: each token has an allowance of its own."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.CATALOG_TOKEN_RATE

    def get_cache_key(self, request, view) -> str | None:
        token = request_token(request)
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"token-{token.pk}"}


class CatalogPageThrottle(SimpleRateThrottle):
    """Searches on the pages, by account when signed in, else by address. Works on a
    plain Django request: the page is not an API view."""

    scope = "page"

    def get_rate(self) -> str:
        return settings.CATALOG_PAGE_RATE

    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            who = f"user-{user.pk}"
        else:
            who = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": who}


def describe_rate(rate: str, noun: str = "request") -> str:
    """'120/minute' -> '120 requests a minute', for people."""
    count, period = rate.split("/")
    plural = "" if count == "1" else ("es" if noun.endswith(("s", "sh", "ch")) else "s")
    return f"{count} {noun}{plural} a {PERIOD_NAMES[period[0]]}"  # DRF reads period[0] too
