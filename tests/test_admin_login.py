"""The admin's sign-in is throttled against password guessing (catalog.admin.login)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from catalog.admin.login import FAILURES_PER_ACCOUNT, FAILURES_PER_CLIENT, WINDOW_MINUTES
from catalog.models import Organization
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "a-long-test-password"  # tests.factories.make_user's


@pytest.fixture
def member():
    organization = Organization.objects.create(slug="ibm", name="IBM")
    return make_member(organization, "editor", username="ada")


def sign_in(client, username, password, address="203.0.113.7"):
    """POST the admin's sign-in form; True when it signed in."""
    client.logout()
    response = client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )
    return response.status_code == 302, response


def test_the_right_password_signs_in(client, member):
    signed_in, _ = sign_in(client, "ada", PASSWORD)
    assert signed_in


def test_after_the_limit_even_the_right_password_is_refused(client, member):
    for _ in range(FAILURES_PER_ACCOUNT):
        signed_in, response = sign_in(client, "ada", "wrong")
        assert not signed_in
        assert "Please enter the correct username and password" in response.text
    signed_in, response = sign_in(client, "ada", PASSWORD)
    assert not signed_in
    assert response.status_code == 200
    assert "Too many failed sign-ins from here. Try again in 15 minutes" in response.text
    assert "_auth_user_id" not in client.session


def test_the_limit_holds_for_the_username_in_any_case(client, member):
    for _ in range(FAILURES_PER_ACCOUNT):
        sign_in(client, "ADA", "wrong")
    assert not sign_in(client, "ada", PASSWORD)[0]


def test_one_locked_account_locks_neither_other_clients_nor_other_accounts(client, member):
    other = make_member(member.memberships.get().organization, "viewer", username="grace")
    for _ in range(FAILURES_PER_ACCOUNT):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "ada", PASSWORD, address="198.51.100.1")[0]
    assert sign_in(client, other.username, PASSWORD)[0]


def test_a_successful_sign_in_clears_the_accounts_count(client, member):
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "ada", PASSWORD)[0]
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "ada", PASSWORD)[0]


def test_guessing_across_many_accounts_locks_the_client(client, member):
    for number in range(FAILURES_PER_CLIENT):
        assert not sign_in(client, f"guess-{number}", "wrong")[0]
    signed_in, response = sign_in(client, "ada", PASSWORD)
    assert not signed_in
    assert "Too many failed sign-ins" in response.text
    assert sign_in(client, "ada", PASSWORD, address="198.51.100.1")[0]


def test_the_limit_lasts_for_its_window_and_then_lifts(client, member, monkeypatch):
    from django.core.cache.backends import locmem

    for _ in range(FAILURES_PER_ACCOUNT):
        sign_in(client, "ada", "wrong")
    started = time.time()

    def minutes_later(minutes):  # the cache's clock (LocMemCache in tests), moved on
        monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: started + minutes * 60))

    minutes_later(WINDOW_MINUTES - 1)
    assert not sign_in(client, "ada", PASSWORD)[0]
    minutes_later(WINDOW_MINUTES + 1)
    assert sign_in(client, "ada", PASSWORD)[0]
