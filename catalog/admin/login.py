"""Sign-in throttling for the admin, against password guessing.

Failed sign-ins are counted in Django's cache (Redis in production, shared by every
process) for a fixed window: per account from one client, and per client over all
accounts. Past either limit the sign-in form refuses, the right password included,
until the window ends. A successful sign-in clears its account's count from that client.
Clients are identified as the API's throttle identifies them (CATALOG_NUM_PROXIES).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

FAILURES_PER_ACCOUNT = 5
FAILURES_PER_CLIENT = 30
WINDOW_MINUTES = 15


@dataclass(frozen=True)
class FailureCounts:
    """The cache keys of one sign-in attempt's counts."""

    account: str  # this account, from this client
    client: str  # every account, from this client

    @classmethod
    def of(cls, request: HttpRequest, username: str) -> FailureCounts:
        client = BaseThrottle().get_ident(request)
        # Hashed: a username may hold characters a cache key must not.
        account = hashlib.sha256(username.casefold().encode()).hexdigest()[:32]
        prefix = f"sign-in-failures:{client}"
        return cls(account=f"{prefix}:{account}", client=prefix)

    def over_limit(self) -> bool:
        counts = cache.get_many([self.account, self.client])
        return (
            counts.get(self.account, 0) >= FAILURES_PER_ACCOUNT
            or counts.get(self.client, 0) >= FAILURES_PER_CLIENT
        )

    def add_failure(self) -> None:
        for key in (self.account, self.client):
            cache.add(key, 0, timeout=WINDOW_MINUTES * 60)  # starts the window
            try:
                cache.incr(key)
            except ValueError:  # the window ended between add and incr
                cache.set(key, 1, timeout=WINDOW_MINUTES * 60)

    def clear_account(self) -> None:
        cache.delete(self.account)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": ("Too many failed sign-ins from here. Try again in %(minutes)d minutes."),
    }

    def clean(self):
        counts = FailureCounts.of(self.request, self.cleaned_data.get("username") or "")
        if counts.over_limit():
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": WINDOW_MINUTES},
            )
        try:
            cleaned_data = super().clean()
        except ValidationError:
            counts.add_failure()
            raise
        counts.clear_account()
        return cleaned_data
