"""Throttling for anonymous clients, at the rate CATALOG_ANON_RATE sets (e.g. 120/minute).

The rate is read at request time, so a deployment changes it through the environment
alone. Counts live in Django's cache: Redis in production, shared by all processes.
DRF answers 429 with `Retry-After` once a client is over the rate.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class CatalogAnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str:
        return settings.CATALOG_ANON_RATE
