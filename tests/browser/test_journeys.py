"""A researcher's journeys through the seeded catalog, in a real Chromium.

Each test writes screenshots of the pages it visits to docs/screenshots/ for review.
"""

import re

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("/", "home"),
    ("/search/?q=geospatial", "search"),
    ("/artifacts/ibm/prithvi-100m/", "artifact"),
    ("/artifacts/meta/llama-2/", "artifact-lineage"),
    ("/organizations/ibm/", "organization"),
    ("/search/?q=zzzqqq", "search-no-results"),
    ("/artifacts/nobody/nothing/", "not-found"),
]


def test_find_a_geospatial_model_and_follow_its_lineage(desktop):
    page, problems = desktop
    page.goto("/")
    screenshot(page, "home")

    page.get_by_label("Search the catalog").fill("geospatial")
    page.get_by_label("Search the catalog").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=geospatial"))
    results = page.locator("ol.results > li")
    assert results.count() >= 3
    screenshot(page, "search")

    # Narrow by a facet: only models. The choice goes into the URL.
    kind = page.get_by_role("region", name="Kind")
    kind.get_by_role("link", name=re.compile(r"^Model")).click()
    page.wait_for_url(re.compile(r"kind=model"))
    assert page.locator(".active-filters").get_by_text("Kind: Model").is_visible()
    kinds = page.locator("ol.results .kind-badge").all_inner_texts()
    assert kinds
    assert {k.lower() for k in kinds} == {"model"}

    page.get_by_role("link", name="Prithvi-100M (Prithvi-EO-1.0-100M)").click()
    page.wait_for_url("**/artifacts/ibm/prithvi-100m/")
    assert page.get_by_role("heading", level=1).inner_text() == "Prithvi-100M (Prithvi-EO-1.0-100M)"
    assert page.get_by_role("heading", name="May I use it?").is_visible()
    assert "Allowed" in page.locator(".answers").inner_text()
    screenshot(page, "artifact")

    # Lineage: Prithvi was trained on NASA's HLS imagery, which HLS Burn Scars also comes from.
    lineage = page.get_by_role("region", name="Lineage")
    lineage.locator(".lineage-lists").get_by_role("link", name="HLS Burn Scars").first.click()
    page.wait_for_url("**/artifacts/ibm/hls-burn-scars/")

    page.get_by_role("complementary", name="At a glance").get_by_role(
        "link", name="IBM", exact=True
    ).click()
    page.wait_for_url("**/organizations/ibm/")
    assert page.get_by_role("heading", level=1).inner_text() == "IBM"
    assert page.locator(".contribution-chart").is_visible()
    screenshot(page, "organization")
    assert problems.messages == []


def test_phone_layout_has_no_sideways_scrolling(phone):
    page, problems = phone
    for url, name in [("/", "phone-home"), ("/search/?q=llama", "phone-search"),
                      ("/artifacts/meta/llama-2/", "phone-artifact")]:  # fmt: skip
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 375px"
        screenshot(page, name)
    # The facets fold behind "Filters (n)" on a phone and open with a tap.
    page.goto("/search/?q=model")
    assert not page.get_by_role("heading", name="Narrow down").is_visible()
    page.get_by_text("Filters (0)").click()
    assert page.get_by_role("heading", name="Narrow down").is_visible()
    assert problems.messages == []


def test_keyboard_reaches_the_content_first(desktop):
    page, _ = desktop
    page.goto("/artifacts/meta/llama-2/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize(("url", "name"), PAGES)
def test_no_console_errors(desktop, url, name):
    page, problems = desktop
    response = page.goto(url)
    expected = 404 if name == "not-found" else 200
    assert response.status == expected
    assert page.locator("main h1").count() == 1
    if name in {"search-no-results", "not-found", "artifact-lineage"}:
        screenshot(page, name)
    assert problems.messages == []
