"""Throttling never blocks a person: the API and the pages count in separate buckets,
people browsing stay far below the page rate, signed-in members get a higher API rate,
and a throttled search is a page that says when to come back."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from catalog.api.throttling import CatalogAnonThrottle
from tests.factories import make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/artifacts/"
SEARCH = "/search/"


def statuses(client, url, times, **params) -> list[int]:
    return [client.get(url, params).status_code for _ in range(times)]


def per_minute(rate: str) -> float:
    number, seconds = CatalogAnonThrottle().parse_rate(rate)
    return number * 60 / seconds


# ------------------------------------------------------------------------------
# Separate buckets
# ------------------------------------------------------------------------------
def test_a_script_that_exhausts_the_api_leaves_search_open(client, settings):
    settings.CATALOG_ANON_RATE = "3/minute"
    assert statuses(client, API, 4, q="llama") == [200, 200, 200, 429]
    assert statuses(client, SEARCH, 5, q="llama") == [200] * 5
    assert client.get(API, {"q": "llama"}).status_code == 429


def test_searching_the_pages_uses_none_of_the_api_allowance(client, settings):
    settings.CATALOG_ANON_RATE = "3/minute"
    settings.CATALOG_PAGE_RATE = "5/minute"
    assert statuses(client, SEARCH, 6, q="granite") == [200] * 5 + [429]
    assert statuses(client, API, 3, q="granite") == [200] * 3


def test_people_browsing_never_meet_the_default_page_rate(client):
    """Sixty searches in a row (a brisk person manages a few a minute) all answer."""
    from alliance_site import settings as defaults

    assert per_minute(defaults.CATALOG_PAGE_RATE) >= 300
    assert per_minute(defaults.CATALOG_PAGE_RATE) > per_minute(defaults.CATALOG_ANON_RATE)
    words = ["llama", "granite", "code", "dataset", "speech", "safety"]
    for number in range(60):
        assert client.get(SEARCH, {"q": words[number % len(words)]}).status_code == 200


def test_signed_in_members_have_a_higher_api_rate(client, settings):
    settings.CATALOG_ANON_RATE = "2/minute"
    settings.CATALOG_USER_RATE = "5/minute"
    member = make_user()
    client.force_login(member)
    assert statuses(client, API, 6) == [200] * 5 + [429]
    # Their requests were counted against them, not against their address: an anonymous
    # browser at the same address still has its own allowance.
    client.logout()
    assert statuses(client, API, 3) == [200, 200, 429]
    # And another member has a fresh allowance of their own.
    client.force_login(make_user())
    assert statuses(client, API, 5) == [200] * 5


def test_a_signed_in_member_searches_on_a_count_of_their_own(client, settings):
    """Behind one shared address (an office, a VPN) the page count is per person once
    signed in."""
    settings.CATALOG_PAGE_RATE = "2/minute"
    assert statuses(client, SEARCH, 3, q="llama") == [200, 200, 429]
    assert "signed-in members each have a count of their own" in " ".join(
        client.get(SEARCH, {"q": "llama"}).content.decode().split()
    )
    client.force_login(make_user())
    assert statuses(client, SEARCH, 3, q="llama") == [200, 200, 429]


def test_the_default_member_rate_is_higher_than_the_anonymous_one():
    from alliance_site import settings as defaults

    assert per_minute(defaults.CATALOG_USER_RATE) > per_minute(defaults.CATALOG_ANON_RATE)


@pytest.mark.parametrize("url", [API, SEARCH])
def test_a_forged_forwarded_for_does_not_buy_a_fresh_allowance(client, settings, url):
    """CATALOG_NUM_PROXIES=0: the client is the connection's address, whatever it says."""
    settings.CATALOG_ANON_RATE = settings.CATALOG_PAGE_RATE = "2/minute"
    assert statuses(client, url, 3, q="llama") == [200, 200, 429]
    forged = client.get(url, {"q": "llama"}, HTTP_X_FORWARDED_FOR="10.0.0.7")
    assert forged.status_code == 429


def test_a_throttled_api_client_is_told_when_to_retry(client, settings):
    settings.CATALOG_ANON_RATE = "1/minute"
    client.get(API)
    refused = client.get(API)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()


# ------------------------------------------------------------------------------
# The throttled search page
# ------------------------------------------------------------------------------
def test_a_throttled_search_is_a_helpful_page(client, settings):
    settings.CATALOG_PAGE_RATE = "1/minute"
    settings.CATALOG_ANON_RATE = "30/minute"
    client.get(SEARCH, {"q": "llama"})
    refused = client.get(SEARCH, {"q": "llama 2", "kind": "model"})
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 60
    page = refused.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Too many searches" in text
    assert f"again in {retry_after} second" in text
    assert re.search(r"at \d\d:\d\d:\d\d UTC", text)
    assert "1 search a minute" in text
    # The same search, to try again, and where the API's own limit is told.
    assert 'href="/search/?q=llama+2&amp;kind=model"' in page
    assert "The API has its own limit" in text
    assert "30 requests a minute" in text
    assert 'href="/api/docs/"' in page


def test_the_rates_come_from_the_environment():
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'alliance_site.settings'; "
    code += "from django.conf import settings; "
    code += (
        "print(settings.CATALOG_ANON_RATE, settings.CATALOG_USER_RATE, settings.CATALOG_PAGE_RATE)"
    )
    env = {
        "CATALOG_ANON_RATE": "7/second",
        "CATALOG_USER_RATE": "900/minute",
        "CATALOG_PAGE_RATE": "50/min",
        "PATH": "/usr/bin:/bin",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert output.stdout.split() == ["7/second", "900/minute", "50/min"]


@pytest.mark.parametrize("name", ["CATALOG_ANON_RATE", "CATALOG_USER_RATE", "CATALOG_PAGE_RATE"])
@pytest.mark.parametrize("value", ["120", "120/fortnight", "lots/minute", "0/minute", "-5/s"])
def test_a_bad_rate_refuses_to_start_naming_the_variable(name, value):
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'alliance_site.settings'; "
    code += "from django.conf import settings; settings.CATALOG_ANON_RATE"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={name: value, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert name in result.stderr
    assert "120/minute" in result.stderr  # says what a rate looks like
