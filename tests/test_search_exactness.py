"""Search is exact at scale: on a generated catalog of 3,000 entries, with the ranked
prefix (CANDIDATE_LIMIT) forced down to 100, every filter combined with a common word,
a rare word and no words gives the count and the entries that the rows themselves say,
on every page; facets count the same entries.

The ground truth is computed here from the rows, not from the search: an entry matches
a word when its search text holds a word starting with it (the last word of q matches
as a prefix), and each filter is written again as a plain predicate.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import QueryDict

from benchmarks.synthetic import generate_catalog, vocabulary
from catalog.models import PUBLIC_STATUSES, Artifact, ArtifactSearchDocument
from catalog.search import facets, query
from catalog.search.query import MAX_PAGE_SIZE, run_search

ENTRIES = 3000
FORCED_CANDIDATE_LIMIT = 100
_TOKENS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Row:
    """One public entry, as the ground truth sees it."""

    pk: int
    sort_key: tuple
    kind: str
    organizations: frozenset[str]
    licenses: frozenset[str]
    categories: frozenset[str]
    commercial_use: tuple  # each license's answer (True, False or None)
    tasks: frozenset[str]
    modalities: frozenset[str]
    languages: frozenset[str]
    tags: frozenset[str]
    openness_class: str
    released_on: datetime.date | None
    parameters: tuple[int, ...]
    has_huggingface: bool
    words: frozenset[str]


def _rows() -> list[Row]:
    public = Artifact.objects.filter(status__in=PUBLIC_STATUSES).prefetch_related(
        "contributions__organization",
        "licenses",
        "tasks",
        "modalities",
        "languages",
        "tags",
        "variants",
    )
    texts = {
        d.artifact_id: " ".join([d.name, d.summary, d.terms, d.organizations, d.description])
        for d in ArtifactSearchDocument.objects.all()
    }
    return [
        Row(
            pk=a.pk,
            sort_key=(a.name.lower(), a.name, a.namespace, a.slug),
            kind=a.kind,
            organizations=frozenset(c.organization.slug for c in a.contributions.all()),
            licenses=frozenset(lic.key for lic in a.licenses.all()),
            categories=frozenset(lic.category for lic in a.licenses.all()),
            commercial_use=tuple(lic.commercial_use for lic in a.licenses.all()),
            tasks=frozenset(t.slug for t in a.tasks.all()),
            modalities=frozenset(m.slug for m in a.modalities.all()),
            languages=frozenset(lang.slug for lang in a.languages.all()),
            tags=frozenset(t.slug for t in a.tags.all()),
            openness_class=a.openness_class,
            released_on=a.released_on,
            parameters=tuple(v.parameters for v in a.variants.all() if v.parameters),
            has_huggingface=bool(a.huggingface_repo_id),
            words=frozenset(_TOKENS.findall(texts[a.pk].lower())),
        )
        for a in public
    ]


@dataclass(frozen=True)
class Catalog:
    rows: list[Row]
    cases: dict[str, tuple[dict, callable]]
    words: dict[str, str]


@pytest.fixture(scope="module")
def catalog(django_db_setup, django_db_blocker):
    """The generated catalog (written once for the module, rolled back after) and its
    rows as the ground truth reads them."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate_catalog(ENTRIES, seed=7)
        rows = _rows()
        yield Catalog(rows, filter_cases(rows), words(rows))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _small_candidate_limit(monkeypatch, catalog, db):
    # The old search kept this many best matches and filtered them afterwards.
    monkeypatch.setattr(query, "CANDIDATE_LIMIT", FORCED_CANDIDATE_LIMIT)


def holds(row: Row, word: str) -> bool:
    return any(w.startswith(word) for w in row.words)


def _most_common(rows, attribute: str, rank: int = 0) -> str:
    counts = Counter(value for row in rows for value in getattr(row, attribute))
    return counts.most_common()[rank][0]


def filter_cases(rows: list[Row]) -> dict[str, tuple[dict, callable]]:
    """Every filter, with values that keep a good share of the catalog."""
    organization = _most_common(rows, "organizations", rank=3)
    license_ = _most_common(rows, "licenses", rank=1)
    category = _most_common(rows, "categories", rank=1)
    task = _most_common(rows, "tasks", rank=2)
    modality = _most_common(rows, "modalities", rank=1)
    language = _most_common(rows, "languages", rank=1)
    after, before = datetime.date(2020, 1, 1), datetime.date(2022, 6, 30)
    low, high = 10 * 10**9, 80 * 10**9
    return {
        "kind": ({"kind": "dataset"}, lambda r: r.kind == "dataset"),
        "organization": ({"organization": organization}, lambda r: organization in r.organizations),
        "license": ({"license": license_}, lambda r: license_ in r.licenses),
        "license_category": ({"license_category": category}, lambda r: category in r.categories),
        "commercial_use true": (
            {"commercial_use": "true"},
            lambda r: bool(r.commercial_use) and all(u is True for u in r.commercial_use),
        ),
        "commercial_use false": (
            {"commercial_use": "false"},
            lambda r: any(u is False for u in r.commercial_use),
        ),
        "task": ({"task": task}, lambda r: task in r.tasks),
        "modality": ({"modality": modality}, lambda r: modality in r.modalities),
        "language": ({"language": language}, lambda r: language in r.languages),
        "openness_class": ({"openness_class": "II"}, lambda r: r.openness_class == "II"),
        "released range": (
            {"released_after": after.isoformat(), "released_before": before.isoformat()},
            lambda r: r.released_on is not None and after <= r.released_on <= before,
        ),
        "parameters range": (
            {"min_parameters": "10B", "max_parameters": "80B"},
            lambda r: any(low <= p <= high for p in r.parameters),
        ),
        "has_huggingface": ({"has_huggingface": "true"}, lambda r: r.has_huggingface),
        "kind and license": (
            {"kind": "model", "license": license_},
            lambda r: r.kind == "model" and license_ in r.licenses,
        ),
        "no filter": ({}, lambda r: True),
    }


def words(rows: list[Row]) -> dict[str, str]:
    """A word many entries hold (far more than the old cap kept) and one a few dozen
    hold; neither a kind word."""

    def holding(low: int, high: int) -> str:
        return next(
            w
            for w in vocabulary(7).words
            if w not in {"dataset", "model"} and low <= sum(holds(r, w) for r in rows) <= high
        )

    return {"common": holding(600, 1200), "rare": holding(20, 80), "none": ""}


def search(params: dict, **extra):
    data = QueryDict(mutable=True)
    for name, value in {**params, **extra}.items():
        data[name] = value
    return run_search(data, AnonymousUser(), facets=[], load=list)


def every_page(params: dict) -> tuple[int, list[int]]:
    """The count, and the ids of every page in order, walked by page number."""
    first = search(params, page_size=MAX_PAGE_SIZE)
    assert not first.errors, first.errors
    ids = list(first.artifacts)
    for page in range(2, first.num_pages + 1):
        result = search(params, page_size=MAX_PAGE_SIZE, page=page)
        assert not result.errors, result.errors
        assert result.count == first.count
        ids += result.artifacts
    return first.count, ids


def test_the_catalog_is_large_enough_that_the_old_cap_would_cut(catalog):
    common = catalog.words["common"]
    assert sum(holds(r, common) for r in catalog.rows) > 5 * FORCED_CANDIDATE_LIMIT


@pytest.mark.parametrize("text", ["common", "rare", "none"])
@pytest.mark.parametrize(
    "case",
    [
        "kind",
        "organization",
        "license",
        "license_category",
        "commercial_use true",
        "commercial_use false",
        "task",
        "modality",
        "language",
        "openness_class",
        "released range",
        "parameters range",
        "has_huggingface",
        "kind and license",
        "no filter",
    ],
)
def test_counts_and_results_equal_the_ground_truth(catalog, case, text):
    params, passes = catalog.cases[case]
    word = catalog.words[text]
    expected = [r for r in catalog.rows if passes(r) and (not word or holds(r, word))]
    q = {"q": word} if word else {}

    count, ids = every_page({**params, **q})
    assert count == len(expected)
    assert len(ids) == len(set(ids)), "an entry is on two pages"
    assert set(ids) == {r.pk for r in expected}

    if text != "none":  # in name order too, each entry once and in the right place
        count, ids = every_page({**params, **q, "ordering": "name"})
        assert count == len(expected)
        assert ids == [r.pk for r in sorted(expected, key=lambda r: r.sort_key)]


def _commercial_use(row: Row) -> set[str]:
    if False in row.commercial_use:
        return {"false"}
    return {"true"} if row.commercial_use and all(row.commercial_use) else set()


# Each facet's values of an entry, as the ground truth reads them.
FACET_VALUES = {
    "kind": lambda r: {r.kind},
    "organization": lambda r: r.organizations,
    "license": lambda r: r.licenses,
    "license_category": lambda r: r.categories,
    "commercial_use": _commercial_use,
    "openness_class": lambda r: {r.openness_class} - {""},
    "task": lambda r: r.tasks,
    "modality": lambda r: r.modalities,
    "language": lambda r: r.languages,
    "tag": lambda r: r.tags,
}


def _filters(catalog, case: str) -> dict[str, callable]:
    """The case's filters one by one: filter name -> what it keeps."""
    params, passes = catalog.cases[case]
    if case == "kind and license":
        license_ = params["license"]
        return {"kind": lambda r: r.kind == "model", "license": lambda r: license_ in r.licenses}
    return {next(iter(params)): passes} if params else {}


@pytest.mark.parametrize("text", ["common", "none"])
@pytest.mark.parametrize(
    "case",
    [
        "kind",
        "organization",
        "license_category",
        "commercial_use false",
        "openness_class",
        "released range",
        "kind and license",
        "no filter",
    ],
)
def test_every_facet_counts_the_matches_of_the_other_filters(catalog, case, text, monkeypatch):
    """Each facet counts every entry that q and all filters but its own keep: those
    without a filter of their own in one statement, the others one each."""
    monkeypatch.setattr(facets, "FACET_LIMIT", 10**6)  # every value, not the top 20
    params, _ = catalog.cases[case]
    word = catalog.words[text]
    data = QueryDict(mutable=True)
    for name, value in {**params, **({"q": word} if word else {})}.items():
        data[name] = value
    result = run_search(data, AnonymousUser(), facets=list(FACET_VALUES), load=list)
    assert not result.errors, result.errors
    filters = _filters(catalog, case)
    for name, values_of in FACET_VALUES.items():
        counted = [
            r
            for r in catalog.rows
            if (not word or holds(r, word))
            and all(keeps(r) for filter_, keeps in filters.items() if filter_ != name)
        ]
        expected = Counter(value for r in counted for value in values_of(r))
        shown = {v.value: v.count for v in result.facets[name] if v.count}
        assert shown == expected, name
        assert list(shown.values()) == sorted(shown.values(), reverse=True), name


# ------------------------------------------------------------------------------
# Deep pages by cursor: the `next` links of the API walk every entry once, in order.
# ------------------------------------------------------------------------------
KEYSET_ORDERINGS = [
    "name",
    "-name",
    "released",
    "-released",
    "updated",
    "parameters",
    "-parameters",
]


def _walk_by_next(client, params: dict) -> list[str]:
    response = client.get("/api/v1/artifacts/", {**params, "page_size": MAX_PAGE_SIZE})
    assert response.status_code == 200, response.content
    body = response.json()
    ids = [item["id"] for item in body["results"]]
    while body["next"]:
        assert "cursor=" in body["next"]
        assert "page=" not in body["next"]
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [item["id"] for item in body["results"]]
    return ids


def _walk_by_page(client, params: dict) -> list[str]:
    ids, page = [], 1
    while True:
        body = client.get(
            "/api/v1/artifacts/", {**params, "page_size": MAX_PAGE_SIZE, "page": page}
        ).json()
        ids += [item["id"] for item in body["results"]]
        if page >= body["num_pages"]:
            return ids
        page += 1


@pytest.mark.parametrize("ordering", KEYSET_ORDERINGS)
def test_walking_every_page_by_cursor_visits_each_entry_once_in_order(client, catalog, ordering):
    # Ties in the sort key, or the walk would not show that they are broken the same way.
    released = Counter(r.released_on for r in catalog.rows)
    assert max(released.values()) > 1
    assert released[None] > 1
    assert max(Counter(r.sort_key[0] for r in catalog.rows).values()) > 1
    params = {"ordering": ordering, "kind": "model"}  # a third of the catalog
    by_cursor = _walk_by_next(client, params)
    assert len(by_cursor) == len(set(by_cursor)) == sum(r.kind == "model" for r in catalog.rows)
    assert by_cursor == _walk_by_page(client, params)


def test_a_cursor_walk_with_q_is_complete(client, catalog):
    word = catalog.words["common"]
    by_cursor = _walk_by_next(client, {"q": word, "ordering": "-released"})
    assert sorted(by_cursor) == sorted(_walk_by_page(client, {"q": word, "ordering": "-released"}))
    assert len(by_cursor) == len(set(by_cursor)) == sum(holds(r, word) for r in catalog.rows)
