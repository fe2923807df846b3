"""The search page on a phone and on a desktop, in Chromium, without JavaScript: on a
phone the results come before the filters, which fold behind "Filters (n)"."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def page_without_javascript(browser, catalog_server, request):
    context = browser.new_context(
        viewport=request.param, base_url=catalog_server.url, java_script_enabled=False
    )
    context.route(lambda url: not url.startswith(catalog_server.url), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


def search_from_home(page, words: str) -> None:
    page.goto("/")
    page.get_by_role("searchbox").first.fill(words)
    page.get_by_role("searchbox").first.press("Enter")
    page.wait_for_url("**/search/**")


@pytest.mark.parametrize("page_without_javascript", [PHONE_390], indirect=True)
def test_on_a_phone_results_come_before_the_filters(page_without_javascript):
    page = page_without_javascript
    search_from_home(page, "llama")
    first_result = page.locator("ol.results .card-title").first
    box = first_result.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= PHONE_390["height"], box
    toggle = page.get_by_text("Filters (0)")
    assert toggle.is_visible()
    kind_heading = page.locator("#facet-kind")
    assert not kind_heading.is_visible()
    # Opening the filters needs no JavaScript; choosing one counts it.
    toggle.click()
    assert kind_heading.is_visible()
    page.locator("section.facet").filter(has=kind_heading).get_by_role("link").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Filters (1)").is_visible()


@pytest.mark.parametrize("page_without_javascript", [DESKTOP], indirect=True)
def test_on_a_desktop_the_filters_are_open(page_without_javascript):
    page = page_without_javascript
    search_from_home(page, "llama")
    assert page.locator("#facet-kind").is_visible()
    assert not page.locator(".filters-summary").is_visible()
