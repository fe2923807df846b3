"""The search page's answer to a client over CATALOG_PAGE_RATE: a page that says when to
search again and that the API counts apart, with 429 and `Retry-After`."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from catalog.api.throttling import CatalogPageThrottle, describe_rate


def refuse_if_throttled(request: HttpRequest) -> HttpResponse | None:
    """Count this search in the page bucket; the 429 page when it is full, else None."""
    throttle = CatalogPageThrottle()
    if throttle.allow_request(request, None):
        return None
    retry_after = max(1, math.ceil(throttle.wait() or 1))
    context = {
        "retry_after": retry_after,
        "retry_at": timezone.now() + timedelta(seconds=retry_after),
        "page_rate": describe_rate(settings.CATALOG_PAGE_RATE, "search"),
        "api_rate": describe_rate(settings.CATALOG_ANON_RATE),
        "member_rate": describe_rate(settings.CATALOG_USER_RATE),
    }
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
