"""An API token as a member's editor handles it, in a real Chromium: signed in through
the admin's form, they create a token by clicking, copy its secret off the one page that
shows it, use it against the live server, then revoke it with the button and find the
API refusing it.

The account is made with the project's own function (`catalog.members.create_member`);
everything after signing in is clicked, and the API is called over real HTTP (urllib),
as the integration holding the token would call it.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from catalog.members import create_member
from tests.browser.conftest import screenshot
from tests.factories import make_artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-journey-password"  # accounts of the test database only


def call_api(base_url: str, path: str, token: str) -> tuple[int, dict, dict]:
    """GET over HTTP with the token, as an integration does: (status, headers, body)."""
    request = urllib.request.Request(  # noqa: S310 (the live test server)
        base_url + path, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.load(error)


def test_an_editor_creates_uses_and_revokes_a_token(desktop, catalog_server):
    from catalog.models import ApiToken, Organization

    create_member("ibm-editor", organization="ibm", role="editor", password=PASSWORD)
    make_artifact("granite-token-draft", lead=Organization.objects.get(slug="ibm"), status="draft")
    page, problems = desktop

    # Signed in through the admin's own form.
    page.goto("/admin/")
    page.get_by_label("Username").fill("ibm-editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # From the admin home to a new token.
    page.locator("#content-main").get_by_role("link", name="API tokens", exact=True).click()
    page.wait_for_url("**/admin/catalog/apitoken/")
    page.get_by_role("link", name="Add API token").click()
    page.wait_for_url("**/admin/catalog/apitoken/add/")
    # Publishing is for curators: an editor is not offered it.
    expect(page.get_by_label("Publish (curators only)")).to_have_count(0)
    page.get_by_label("Name").fill("release pipeline")
    page.get_by_label("IBM", exact=True).check()
    page.get_by_label("Read (the catalog as you see it, drafts included)").check()
    page.get_by_label("Write (create and change entries)").check()
    page.get_by_label("Expires in").select_option(label="30 days")
    screenshot_if_asked(page, "token-add")
    page.get_by_role("button", name="Save", exact=True).click()

    # The secret, shown this once, with the warning to copy it now.
    expect(page.locator("#issued-token .errornote")).to_contain_text("Copy this token now")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("alc_")
    screenshot_if_asked(page, "token-issued")
    token = ApiToken.objects.get()
    assert (token.name, token.scopes) == ("release pipeline", ["read", "write"])
    assert token.secret_hash != secret

    # The integration uses it over HTTP: it reads as the editor, who sees IBM's draft.
    draft = "/api/v1/artifacts/ibm/granite-token-draft/"
    status, _, body = call_api(catalog_server.url, draft, secret)
    assert status == 200
    assert body["status"] == "draft"
    assert call_api(catalog_server.url, draft, "hf_not-ours-so-anonymous")[0] == 404
    token.refresh_from_db()
    assert token.last_used_at is not None

    # The token's page lists what it is, never the secret again.
    page.get_by_role("link", name="I have copied it: go to the token").click()
    page.wait_for_url(re.compile(r"/admin/catalog/apitoken/\d+/change/$"))
    expect(page.locator("#content")).to_contain_text(token.display_prefix)
    expect(page.locator("#content")).not_to_contain_text(secret)
    page.get_by_role("link", name="API tokens").first.click()
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("release pipeline")
    expect(row).to_contain_text("ibm")
    expect(row).to_contain_text("read, write")
    screenshot_if_asked(page, "token-list")

    # Revoked with the button on its page ...
    row.get_by_role("link", name="release pipeline").click()
    page.get_by_role("button", name="Revoke this token").click()
    expect(page.locator(".messagelist")).to_contain_text("is revoked")
    expect(page.locator("#token-state")).to_contain_text("This token was revoked")

    # ... and the API refuses it at once, with the challenge and without echoing it.
    status, headers, body = call_api(catalog_server.url, draft, secret)
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert "revoked" in body["detail"]
    assert secret not in json.dumps(body)
    assert problems.messages == []


def screenshot_if_asked(page, name: str) -> None:
    """docs/screenshots/admin-<name>.png, only when screenshots are asked for."""
    screenshot(page, f"admin-{name}")
