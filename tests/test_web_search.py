"""The search page over the seeded catalog: results, facets that combine, state in the URL,
helpful errors and a helpful page when nothing matches."""

import re
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from catalog.models import Artifact

pytestmark = pytest.mark.django_db

SEARCH = reverse("web:search")


def ranked(body: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', body)


def names(body: str) -> set[str]:
    return set(ranked(body))


PRITHVI_1 = "Prithvi-100M (Prithvi-EO-1.0-100M)"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=geospatial", {"HLS Burn Scars", PRITHVI_1, "Prithvi-EO-2.0", "Prithvi WxC"}),
        ("q=geospatial&kind=model", {PRITHVI_1, "Prithvi-EO-2.0", "Prithvi WxC"}),
        ("q=geospatial&kind=dataset", {"HLS Burn Scars"}),
        # Values of one facet combine with OR.
        (
            "q=geospatial&kind=model&kind=dataset",
            {"HLS Burn Scars", PRITHVI_1, "Prithvi-EO-2.0", "Prithvi WxC"},
        ),
        ("kind=model&organization=meta&task=text-generation", {"Llama 2", "Meta Llama 3"}),
    ],
)
def test_results(client, seeded, query, expected):
    response = client.get(f"{SEARCH}?{query}")
    assert response.status_code == 200
    found = names(response.content.decode())
    assert expected <= found
    if "geospatial" in query:
        # Nothing else comes: exactly the published entries of the geospatial modality (of
        # the kinds asked for), however many the seeds hold.
        entries = Artifact.objects.published().filter(modalities__slug="geospatial")
        if kinds := parse_qs(query).get("kind"):
            entries = entries.filter(kind__in=kinds)
        assert found == set(entries.values_list("name", flat=True))


def test_facet_links_keep_the_query_and_toggle_one_value(client, seeded):
    body = client.get(f"{SEARCH}?q=geospatial&kind=model&page=1").content.decode()
    # Selecting IBM adds it and keeps q and the Model choice; the page number is dropped.
    assert 'href="?q=geospatial&amp;kind=model&amp;organization=ibm"' in body
    # The selected Model links to the same search without it.
    assert 'href="?q=geospatial" aria-current="true"' in body
    assert "Kind: Model" in body


def test_other_values_of_a_selected_facet_stay_offered_with_a_query(client, seeded):
    body = client.get(f"{SEARCH}?q=geospatial&kind=model").content.decode()
    assert 'href="?q=geospatial&amp;kind=model&amp;kind=dataset"' in body


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("kind=robot", 400, "Kind:"),
        ("ordering=sideways", 400, "is not an ordering"),
        ("page=0", 400, "Page:"),
        ("page=999", 404, "There is no page 999"),
        ("q=%F0%9F%A6%99", 400, "no letters or digits"),
        ("q=--", 400, "no letters or digits"),
        ("q=the", 400, "only common words"),
    ],
)
def test_bad_parameters_say_what_is_wrong(client, seeded, query, status, message):
    response = client.get(f"{SEARCH}?{query}")
    assert response.status_code == status
    assert message in response.content.decode()


def test_nothing_found_suggests_spelling_and_dropping_filters(client, seeded):
    # Heliophysics is a model's word (Surya's): no tool holds it, spelled right or not.
    body = client.get(f"{SEARCH}?q=heliophisics&kind=tool").content.decode()
    assert "Nothing matches" in body
    assert 'Did you mean <a href="?kind=tool&amp;q=heliophysics">heliophysics</a>?' in body
    assert "Drop the filter Kind: Tool" in body


@pytest.mark.parametrize("query", ['"unclosed', "-", "OR OR", "a" * 300, "<script>", "%00"])
def test_odd_input_never_breaks_the_page(client, seeded, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code in {200, 400}
    assert "<script>" not in response.content.decode().split("<main", 1)[1].split("</main>")[0]


def test_pagination_links(client, seeded):
    body = client.get(f"{SEARCH}?page_size=10&page=2").content.decode()
    assert 'rel="prev"' in body
    assert 'rel="next"' in body
    assert '<span aria-current="page">2</span>' in body


def test_a_page_past_the_last_helps_back(client, seeded):
    response = client.get(f"{SEARCH}?q=llama&page=999")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page is past the end of the results" in body
    assert "could not run" not in body
    last = re.search(r'href="([^"]+)">Go to the last page \((\d+)\)', body)
    assert last is not None
    page = client.get(SEARCH + last.group(1).replace("&amp;", "&"))
    assert page.status_code == 200
    assert names(page.content.decode())


def test_kind_words_show_as_a_chip_that_removes_them(client, seeded):
    """A regression: "datasets for geospatial work" found nothing."""
    body = client.get(SEARCH, {"q": "datasets for geospatial work"}).content.decode()
    datasets = set(
        Artifact.objects.published().filter(kind="dataset").values_list("name", flat=True)
    )
    assert names(body) <= datasets
    assert ranked(body)[0] == "HLS Burn Scars"
    assert re.search(r'<a href="\?q=for\+geospatial\+work"[^>]*>.*Kind: Dataset', body)
    assert "Common words need not match: for." in body
    assert "No entry has all of your words" in body
    # Following the chip searches the words alone, every kind.
    broader = client.get(SEARCH, {"q": "for geospatial work"}).content.decode()
    assert "Prithvi WxC" in names(broader)
    assert "Kind: Dataset" not in broader


def test_an_explicit_kind_wins_over_the_words(client, seeded):
    body = client.get(SEARCH, {"q": "geospatial models", "kind": "dataset"}).content.decode()
    assert names(body) == {"HLS Burn Scars"}
    assert "(from" not in body


def test_a_typo_shows_the_corrected_results_and_says_so(client, seeded):
    body = client.get(SEARCH, {"q": "graniet"}).content.decode()
    assert "Showing results for <strong>“granite”</strong>" in body
    assert "Granite Code Models" in names(body)
    # Some words matched, but the corrected ones all do: those results are shown.
    partly = client.get(SEARCH, {"q": "graniet code"}).content.decode()
    assert "Showing results for <strong>“granite code”</strong>" in partly
    # The corrected words match no better: q's results stay, the spelling is offered.
    offered = client.get(SEARCH, {"q": "graniet wildfire"}).content.decode()
    assert 'Did you mean <a href="?q=granite+wildfire">granite wildfire</a>?' in offered
    assert "HLS Burn Scars" in names(offered)


@pytest.mark.parametrize("status", ["in_review", "draft"])
def test_anonymous_status_says_it_is_for_members(client, seeded, status):
    """A regression: anonymous ?status=in_review silently answered 0 entries."""
    response = client.get(SEARCH, {"status": status})
    assert response.status_code == 400
    assert "visible to signed-in members" in response.content.decode()


def test_filters_fold_behind_a_control_counting_the_active_ones(client, seeded):
    body = client.get(SEARCH, {"kind": "model", "organization": "meta"}).content.decode()
    assert '<details class="filters">' in body
    assert '<summary class="filters-summary">Filters (2)</summary>' in body


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_names_sort_as_people_read_them(client, seeded, ordering):
    body = client.get(SEARCH, {"ordering": ordering, "page_size": 100}).content.decode()
    shown = re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', body)
    assert shown == sorted(shown, key=str.lower, reverse=ordering == "-name")
    if ordering == "name":  # case-sensitive order would put "AMD" before "Adversarial"
        assert shown.index("Adversarial Robustness Toolbox (ART)") < shown.index("AMD-OLMo-1B")


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/", 4),  # counts, the newest entries' ids, their cards, the members
        ("/search/", 8),
        ("/search/?q=granite", 8),
        ("/search/?kind=model&license=Apache-2.0&task=text-generation", 12),
        ("/search/?page=2&ordering=name", 8),
    ],
)
def test_pages_of_cards_cost_a_fixed_number_of_statements(
    client, seeded, path, most, django_assert_max_num_queries
):
    # The match, its count and facets, then one statement for the page's stored cards:
    # no statement per result, whatever the page holds.
    with django_assert_max_num_queries(most):
        response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().count('<article class="card">') > 1
