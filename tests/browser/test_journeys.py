"""A researcher's journeys through the seeded catalog, in a real Chromium, by clicking.

1. On a desktop: home -> search -> tick two facets -> sort -> open an entry -> follow its
   lineage -> its organization's page -> back to the results, with every choice kept.
2. The same on a phone 390 px wide, where the filters fold behind "Filters (n)".
6. Everyone: a missing page, a page past the last and a throttled search each say what
   happened and what to do next.

(Journeys 3 to 5, members' curation, are in test_admin_journeys.py.) Screenshots are
written only under `make screenshots`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
PAGES = [
    ("/", "home"),
    ("/organizations/", "members"),
    ("/search/?q=geospatial", "search"),
    ("/artifacts/ibm/prithvi-100m/", "artifact"),
    ("/artifacts/meta/llama-2/", "artifact-lineage"),
    ("/organizations/ibm/", "organization"),
    ("/search/?q=zzzqqq", "search-no-results"),
]


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def tick(page, facet: str, value: str) -> None:
    """Choose one value of a facet, as a person does: click it in its group."""
    group = page.locator("section.facet").filter(has=page.locator(f"#facet-{facet}"))
    before = page.url
    group.get_by_role("link", name=re.compile(rf"^{re.escape(value)}\b")).first.click()
    page.wait_for_url(lambda url: url != before)


def ticked(page, facet: str) -> list[str]:
    group = page.locator("section.facet").filter(has=page.locator(f"#facet-{facet}"))
    return group.locator('a[aria-current="true"]').all_inner_texts()


def researcher_journey(page, problems, *, phone: bool) -> None:
    prefix = "phone-" if phone else ""
    page.goto("/")
    screenshot(page, f"{prefix}home")
    page.get_by_label("Search the catalog").fill("llama")
    page.get_by_label("Search the catalog").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=llama"))
    assert page.locator("ol.results > li").count() >= 3

    if phone:
        # The first result is in view before any scrolling; the filters are folded.
        first = page.locator("ol.results .card-title").first.bounding_box()
        assert first is not None
        assert first["y"] + first["height"] <= PHONE_390["height"]
        assert not page.locator("#facet-kind").is_visible()
        page.get_by_text("Filters (0)").click()
    assert page.locator("#facet-kind").is_visible()

    tick(page, "kind", "Model")
    if phone:
        page.get_by_text("Filters (1)").click()
    tick(page, "organization", "Meta")
    if phone:
        assert page.get_by_text("Filters (2)").is_visible()
    kinds = {text.lower() for text in page.locator("ol.results .kind-badge").all_inner_texts()}
    assert kinds == {"model"}
    assert all("Meta" in orgs for orgs in page.locator("ol.results .orgs").all_inner_texts())

    before = page.url
    page.get_by_label("Sort by").select_option("name")  # the page re-sorts on its own
    page.wait_for_url(lambda url: url != before)
    names = page.locator("ol.results .card-title").all_inner_texts()
    assert names == sorted(names, key=str.lower)
    assert len(names) >= 3
    results_url = page.url
    screenshot(page, f"{prefix}search-filtered")

    page.get_by_role("link", name="Code Llama", exact=True).click()
    page.wait_for_url("**/artifacts/meta/code-llama/")
    assert page.get_by_role("heading", level=1).inner_text() == "Code Llama"
    lineage = page.get_by_role("region", name="Lineage")
    lineage.locator(".lineage-lists").get_by_role("link", name="Llama 2", exact=True).click()
    page.wait_for_url("**/artifacts/meta/llama-2/")
    screenshot(page, f"{prefix}artifact-lineage")

    page.get_by_role("complementary", name="At a glance").get_by_role(
        "link", name="Meta", exact=True
    ).click()
    page.wait_for_url("**/organizations/meta/")
    assert page.get_by_role("heading", level=1).inner_text() == "Meta"
    screenshot(page, f"{prefix}organization")

    # Back, three times, to the results exactly as they were left.
    for _ in range(3):
        page.go_back()
    page.wait_for_url(results_url)
    chosen = query_of(page.url)
    assert chosen["q"] == ["llama"]
    assert chosen["kind"] == ["model"]
    assert chosen["organization"] == ["meta"]
    assert chosen["ordering"] == ["name"]
    assert page.get_by_label("Sort by").input_value() == "name"
    assert page.locator("ol.results .card-title").all_inner_texts() == names
    if phone:
        page.get_by_text("Filters (2)").click()
    (kind,) = ticked(page, "kind")
    (organization,) = ticked(page, "organization")
    assert kind.strip().startswith("Model")
    assert organization.strip().startswith("Meta")
    assert problems.messages == []


def test_a_researcher_on_a_desktop_narrows_sorts_follows_lineage_and_comes_back(desktop):
    page, problems = desktop
    researcher_journey(page, problems, phone=False)


@pytest.fixture
def phone_390(browser, catalog_server):
    from tests.browser.conftest import PageProblems

    context = browser.new_context(viewport=PHONE_390, base_url=catalog_server.url)
    context.route(lambda url: not url.startswith(catalog_server.url), lambda route: route.abort())
    page = context.new_page()
    problems = PageProblems(page, catalog_server.url)
    yield page, problems
    context.close()


def test_a_researcher_on_a_phone_takes_the_same_journey(phone_390):
    page, problems = phone_390
    researcher_journey(page, problems, phone=True)
    for url in ("/", "/search/?q=llama", "/artifacts/meta/llama-2/", "/organizations/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px at 390px"


def test_a_missing_page_helps_the_reader_on(desktop):
    page, problems = desktop
    response = page.goto("/artifacts/nobody/nothing/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find that page"
    screenshot(page, "not-found")
    page.get_by_label("Search the catalog instead").fill("granite")
    page.get_by_label("Search the catalog instead").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=granite"))
    assert page.locator("ol.results > li").count() >= 1
    assert problems.messages == []


def test_a_page_past_the_last_leads_back_to_the_results(desktop):
    page, problems = desktop
    page.goto("/search/?q=llama&page=99")
    assert page.get_by_text("This page is past the end of the results").is_visible()
    screenshot(page, "search-past-the-last-page")
    page.get_by_role("link", name=re.compile(r"^Go to the last page")).click()
    page.wait_for_load_state()
    assert page.locator("ol.results > li").count() >= 1
    assert problems.messages == []


def test_a_throttled_search_says_when_to_try_again(desktop, settings):
    page, _ = desktop
    with override_settings(CATALOG_PAGE_RATE="2/minute"):
        for _ in range(2):
            assert page.goto("/search/?q=llama").status == 200
        response = page.goto("/search/?q=llama")
    assert response.status == 429
    assert response.headers["retry-after"]
    body = page.locator("main").inner_text()
    assert "You can search again in" in body
    assert "(2 searches a minute)" in body
    assert "The API has its own limit" in body
    screenshot(page, "search-throttled")


def test_the_keyboard_reaches_the_content_first(desktop):
    page, _ = desktop
    page.goto("/artifacts/meta/llama-2/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


@pytest.mark.parametrize(("url", "name"), PAGES)
def test_no_console_errors(desktop, url, name):
    page, problems = desktop
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("main h1").count() == 1
    screenshot(page, name)
    assert problems.messages == []
