"""Curation in the admin as people click it, in a real Chromium: a member's editor adds
a model and submits it, a curator sends it back and publishes it, an organization's
admin gives a colleague a role and deprecates and withdraws entries.

Accounts are made with the project's own functions (`catalog.members`), as a curator's
commands would make them; everything after signing in is clicked, never posted by hand.
Screenshots are written only when asked (`SCREENSHOTS=1`, as `make screenshots` does).
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from catalog.members import create_curator, create_member
from tests.browser.conftest import DESKTOP, PageProblems, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-journey-password"  # accounts of the test database only


def snapshot(page, name: str) -> None:
    """docs/screenshots/admin-<name>.png, only when screenshots are asked for."""
    if os.environ.get("SCREENSHOTS") == "1":
        screenshot(page, f"admin-{name}")


@pytest.fixture
def open_browser(browser, catalog_server):
    """A function opening a fresh browser context (its own cookies): one per person."""
    contexts = []

    def open_one():
        context = browser.new_context(viewport=DESKTOP, base_url=catalog_server.url)
        context.route(
            lambda url: not url.startswith(catalog_server.url), lambda route: route.abort()
        )
        contexts.append(context)
        page = context.new_page()
        return page, PageProblems(page, catalog_server.url)

    yield open_one
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the admin's own sign-in form, as a person does."""
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def click_workflow_button(page, label: str) -> None:
    """Click a workflow button on an entry's page; the page it leads to must load."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=label, exact=True).click()
    response = navigation.value
    assert response.ok, f'"{label}" answered {response.status} at {response.url}'


def status_heading(page):
    return page.locator("#workflow h2")


def open_entry_from_list(page, section: str, search: str, name: str) -> None:
    """From the admin home: a section, its search box, then the entry's row."""
    page.goto("/admin/")
    page.locator("#content-main").get_by_role("link", name=section, exact=True).click()
    page.locator("#searchbar").fill(search)
    page.locator("#searchbar").press("Enter")
    page.wait_for_url(re.compile(r"\?q="))
    page.locator("#result_list").get_by_role("link", name=name, exact=True).click()
    page.wait_for_url(re.compile(r"/change/(\?|$)"))


# -- a member's editor ----------------------------------------------------------------------


def test_an_editor_adds_a_model_and_submits_it_for_review(open_browser):
    from catalog.models import Artifact, Organization

    create_member("ibm-editor", organization="ibm", role="editor", password=PASSWORD)
    ibm = Organization.objects.get(slug="ibm")
    page, problems = open_browser()
    sign_in(page, "ibm-editor")
    snapshot(page, "editor-home")

    page.locator("#content-main").get_by_role("link", name="Models", exact=True).click()
    page.get_by_role("link", name="Add model").click()
    page.wait_for_url("**/admin/catalog/modelentry/add/")
    # A member of one organization finds it chosen as the lead.
    assert page.locator("#id_lead_organization").input_value() == str(ibm.pk)
    chosen = page.locator(".field-lead_organization .select2-selection__rendered")
    assert chosen.get_attribute("title") == "IBM"
    page.locator("#id_slug").fill("granite-journey-8b")
    page.locator("#id_name").fill("Granite Journey 8B")
    page.locator("#id_summary").fill("A model registered by clicking through the admin.")
    page.locator("#id_release_date").fill("2024-10")
    page.locator("#id_license_expression").fill("Apache-2.0")
    snapshot(page, "editor-add-model")
    page.get_by_role("button", name="Save", exact=True).click()

    # Back in the Models list, with the model named.
    page.wait_for_url("**/admin/catalog/modelentry/")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator("h1")).to_have_text("Select model to change")
    page.locator("#result_list").get_by_role("link", name="Granite Journey 8B").click()
    expect(status_heading(page)).to_have_text("Review: this entry is draft")
    assert page.locator("#id_release_date").input_value() == "2024-10"

    click_workflow_button(page, "Submit for review")
    expect(page.locator(".messagelist")).to_contain_text("Submitted: ibm/granite-journey-8b.")
    expect(status_heading(page)).to_have_text("Review: this entry is in review")
    snapshot(page, "editor-submitted")
    entry = Artifact.objects.get_by_id("ibm/granite-journey-8b")
    assert (entry.status, entry.released_display) == ("in_review", "2024-10")

    # Its history: one version for the save, one for the step, in plain words.
    page.get_by_role("link", name="History").click()
    versions = page.locator("#change-history tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("In review")
    expect(versions.nth(0)).to_contain_text("Submit for review")
    expect(versions.nth(1)).to_contain_text("Added")
    expect(page.locator("#change-history")).not_to_contain_text("None")
    snapshot(page, "editor-history")

    # The public does not see it yet.
    public, public_problems = open_browser()
    response = public.goto("/artifacts/ibm/granite-journey-8b/")
    assert response.status == 404
    assert problems.messages == []
    assert public_problems.messages == []


# -- a curator ------------------------------------------------------------------------------


def test_a_curator_sends_an_entry_back_and_publishes_it_once_fixed(open_browser):
    from catalog.models import Organization
    from tests.factories import make_artifact

    create_member("ibm-editor", organization="ibm", role="editor", password=PASSWORD)
    create_curator("the-curator", password=PASSWORD)
    make_artifact(
        "zorblax-guard",
        lead=Organization.objects.get(slug="ibm"),
        name="Zorblax Guard",
        summary="A guardian model for zorblax safety.",
        status="in_review",
        license="Apache-2.0",
    )
    curator, curator_problems = open_browser()
    sign_in(curator, "the-curator")
    snapshot(curator, "curator-home")
    curator.get_by_role("link", name="Review queue: entries waiting for review").click()
    queue = curator.locator("#result_list")
    expect(queue.get_by_role("link", name="Zorblax Guard")).to_be_visible()
    snapshot(curator, "curator-queue")
    queue.get_by_role("link", name="Zorblax Guard").click()
    expect(status_heading(curator)).to_have_text("Review: this entry is in review")
    curator.get_by_label("Note for the editors (required):").fill("Add the model card as a source.")
    click_workflow_button(curator, "Send back")
    expect(curator.locator(".messagelist")).to_contain_text("Sent back: ibm/zorblax-guard.")
    expect(status_heading(curator)).to_have_text("Review: this entry is draft")

    # The editor, in their own browser, reads the note, fixes the entry and resubmits.
    editor, editor_problems = open_browser()
    sign_in(editor, "ibm-editor")
    open_entry_from_list(editor, "Models", "zorblax", "Zorblax Guard")
    note = editor.locator("#workflow .errornote")
    expect(note).to_have_text("Curator's note: Add the model card as a source.")
    snapshot(editor, "editor-sent-back")
    editor.get_by_role("button", name="Add another Source").click()
    editor.locator("#id_sources-0-url").fill("https://example.org/zorblax-guard/model-card")
    editor.get_by_role("button", name="Save and continue editing").click()
    expect(editor.locator(".messagelist")).to_contain_text("was changed successfully")
    click_workflow_button(editor, "Submit for review")
    expect(status_heading(editor)).to_have_text("Review: this entry is in review")
    expect(editor.locator("#workflow .errornote")).to_have_count(0)  # the note was answered

    # The curator finds it in the queue again and publishes it.
    curator.goto("/admin/")
    curator.get_by_role("link", name="Review queue: entries waiting for review").click()
    curator.locator("#result_list").get_by_role("link", name="Zorblax Guard").click()
    click_workflow_button(curator, "Publish")
    expect(curator.locator(".messagelist")).to_contain_text("Published: ibm/zorblax-guard.")
    expect(status_heading(curator)).to_have_text("Review: this entry is published")
    snapshot(curator, "curator-published")

    # The public finds it: in search, on its organization's page and in the API.
    public, public_problems = open_browser()
    public.goto("/")
    public.get_by_label("Search the catalog").fill("zorblax")
    public.get_by_label("Search the catalog").press("Enter")
    public.wait_for_url(re.compile(r"/search/\?q=zorblax"))
    public.locator("ol.results").get_by_role("link", name="Zorblax Guard").click()
    public.wait_for_url("**/artifacts/ibm/zorblax-guard/")
    expect(public.get_by_role("heading", level=1)).to_have_text("Zorblax Guard")
    organization = public.goto("/organizations/ibm/")
    assert organization.status == 200
    assert public.locator(".contribution-list").get_by_role("link", name="Zorblax Guard").count()
    api = public.request.get("/api/v1/artifacts/ibm/zorblax-guard/")  # as a script reads it
    assert api.status == 200
    assert api.json()["name"] == "Zorblax Guard"
    problems = curator_problems.messages + editor_problems.messages + public_problems.messages
    assert problems == []


# -- an organization's admin ----------------------------------------------------------------


def test_an_organization_admin_gives_a_role_deprecates_and_withdraws(open_browser):
    from catalog.models import Artifact, Membership
    from tests.factories import make_user

    create_member("ibm-admin", organization="ibm", role="admin", password=PASSWORD)
    create_curator("the-curator", password=PASSWORD)
    make_user("ibm-colleague")  # an account a curator made, with no role yet
    admin, admin_problems = open_browser()
    sign_in(admin, "ibm-admin")

    # A colleague becomes an editor of IBM.
    admin.locator("#content-main").get_by_role("link", name="Memberships", exact=True).click()
    admin.get_by_role("link", name="Add membership").click()
    admin.locator("#id_username").fill("ibm-colleague")
    admin.locator("#id_organization").select_option(label="IBM")
    admin.locator("#id_role").select_option("editor")
    snapshot(admin, "organization-admin-add-membership")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    membership = Membership.objects.get(user__username="ibm-colleague")
    assert (membership.organization.slug, membership.role) == ("ibm", "editor")
    colleague, colleague_problems = open_browser()
    sign_in(colleague, "ibm-colleague", password="a-long-test-password")
    colleague.locator("#content-main").get_by_role("link", name="Models", exact=True).click()
    expect(colleague.get_by_role("link", name="Add model")).to_be_visible()

    # Deprecate one entry, withdraw another with a public reason.
    open_entry_from_list(admin, "Models", "prithvi-wxc", "Prithvi WxC")
    click_workflow_button(admin, "Deprecate")
    expect(status_heading(admin)).to_have_text("Review: this entry is deprecated")
    reason = "Superseded by the AI Fairness toolkit's successor; use that instead."
    open_entry_from_list(admin, "Tools", "aif360", "AI Fairness 360 (AIF360)")
    admin.get_by_label("Reason, shown publicly (required):").fill(reason)
    snapshot(admin, "organization-admin-withdraw")
    click_workflow_button(admin, "Withdraw")
    expect(status_heading(admin)).to_have_text("Review: this entry is withdrawn")
    assert Artifact.objects.get_by_id("ibm/aif360").withdrawn_reason == reason

    public, public_problems = open_browser()
    public.goto("/artifacts/ibm/prithvi-wxc/")
    assert "Deprecated." in public.locator(".notice-warning").inner_text()
    gone = public.goto("/artifacts/ibm/aif360/")
    assert gone.status == 410
    expect(public.get_by_role("heading", name="This entry was withdrawn")).to_be_visible()
    assert reason in public.locator(".notice-danger").inner_text()
    snapshot(public, "public-withdrawn")

    # A curator restores the withdrawn entry; the public sees it again.
    curator, curator_problems = open_browser()
    sign_in(curator, "the-curator")
    open_entry_from_list(curator, "Tools", "aif360", "AI Fairness 360 (AIF360)")
    click_workflow_button(curator, "Restore")
    expect(status_heading(curator)).to_have_text("Review: this entry is published")
    assert public.goto("/artifacts/ibm/aif360/").status == 200
    problems = (
        admin_problems.messages
        + colleague_problems.messages
        + public_problems.messages
        + curator_problems.messages
    )
    assert problems == []


# -- the lineage table ----------------------------------------------------------------------


def test_the_lineage_table_fits_the_page(open_browser):
    from django.db.models import Count

    from catalog.models import Artifact

    create_curator("the-curator", password=PASSWORD)
    page, problems = open_browser()
    sign_in(page, "the-curator")
    # The model with the longest lineage, external works included.
    entry = (
        Artifact.objects.filter(kind="model")
        .annotate(edges=Count("relations"))
        .order_by("-edges", "name")
        .first()
    )
    assert entry.edges >= 3
    page.goto(f"/admin/catalog/modelentry/{entry.pk}/change/")
    page.get_by_role("button", name="Add another Lineage edge").click()  # an empty row too
    assert page.locator("#relations-group table").is_visible()
    widths = page.evaluate(
        """() => {
            const group = document.querySelector('#relations-group');
            const table = group.querySelector('table');
            return {page: document.documentElement.scrollWidth, window: window.innerWidth,
                    table: table.getBoundingClientRect().right,
                    group: group.getBoundingClientRect().right};
        }"""
    )
    assert widths["page"] <= widths["window"], f"the page scrolls sideways at 1280 px: {widths}"
    assert widths["table"] <= widths["group"] + 1, f"the table overflows its box: {widths}"
    snapshot(page, "lineage-table")
    assert problems.messages == []
