"""The search page over the seeded catalog: results, facets that combine, state in the URL,
helpful errors and a helpful page when nothing matches."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEARCH = reverse("web:search")


def names(body: str) -> set[str]:
    return set(re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', body))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=geospatial", {"HLS Burn Scars", "Prithvi-100M (Prithvi-EO-1.0-100M)", "Prithvi WxC"}),
        ("q=geospatial&kind=model", {"Prithvi-100M (Prithvi-EO-1.0-100M)", "Prithvi WxC"}),
        ("q=geospatial&kind=dataset", {"HLS Burn Scars"}),
        # Values of one facet combine with OR.
        (
            "q=geospatial&kind=model&kind=dataset",
            {"HLS Burn Scars", "Prithvi-100M (Prithvi-EO-1.0-100M)", "Prithvi WxC"},
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
        assert found == expected


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
    ],
)
def test_bad_parameters_say_what_is_wrong(client, seeded, query, status, message):
    response = client.get(f"{SEARCH}?{query}")
    assert response.status_code == status
    assert message in response.content.decode()


def test_nothing_found_suggests_spelling_and_dropping_filters(client, seeded):
    body = client.get(f"{SEARCH}?q=geospacial&kind=tool").content.decode()
    assert "Nothing matches" in body
    assert 'href="/search/?q=geospatial">geospatial</a>' in body
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
