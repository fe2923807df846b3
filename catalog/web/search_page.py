"""What the search page shows around `catalog.search.query.run_search`: facet links that
toggle one value in the URL, the active filters, sorting, pages and, when nothing
matches, suggestions. The search itself is the API's, not a second implementation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import QueryDict

from catalog.models import ArtifactKind, LicenseCategory, OpennessClass
from catalog.search.facets import FACETS
from catalog.search.query import ORDERINGS
from catalog.search.reading import KIND_WORDS

# The sidebar, in reading order; a facet the search core does not count is left out.
FACET_LABELS = {
    "kind": "Kind",
    "organization": "Organization",
    "license_category": "License category",
    "commercial_use": "Commercial use",
    "openness_class": "Openness class",
    "task": "Task",
    "modality": "Modality",
    "language": "Language",
}
FILTER_LABELS = {**FACET_LABELS, "license": "License", "tag": "Tag"}
ERROR_LABELS = {**FILTER_LABELS, "q": "Search words"}
# Labels of the fixed choices, for a selected value no entry has any more.
CHOICE_LABELS = {
    "kind": ArtifactKind.choices,
    "license_category": LicenseCategory.choices,
    "openness_class": OpennessClass.choices,
    "commercial_use": [("true", "Allowed"), ("false", "Not allowed")],
}
SHOWN_VALUES = 6  # the rest of a facet's values fold under "more"
SORT_CHOICES = [
    ("relevance", "Best match"),
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("-released", "Newest release"),
    ("released", "Oldest release"),
    ("-updated", "Recently updated"),
    ("-parameters", "Most parameters"),
]
assert all(choice.lstrip("-") in ORDERINGS for choice, _ in SORT_CHOICES)
PAGE_WINDOW = 2


def page_facets() -> list[str]:
    return [name for name in FACET_LABELS if name in FACETS]


def link(params: QueryDict, **changes: str | list[str] | None) -> str:
    """The query string of `params` with some parameters replaced or (None) removed.

    Any change goes back to page 1, since the old page number means nothing after it.
    """
    pairs = [
        (key, value)
        for key, values in params.lists()
        if key not in changes and key != "page"
        for value in values
        if value != ""
    ]
    for key, value in changes.items():
        if value is None:
            continue
        pairs.extend((key, item) for item in (value if isinstance(value, list) else [value]))
    return "?" + urlencode(pairs) if pairs else "?"


def toggled(params: QueryDict, name: str, value: str) -> str:
    values = params.getlist(name)
    new = [v for v in values if v != value] if value in values else [*values, value]
    return link(params, **{name: new or None})


@dataclass(frozen=True)
class FacetChoice:
    label: str
    count: int
    selected: bool
    url: str


def facet_groups(result, params: QueryDict) -> list[dict]:
    groups = []
    for name in page_facets():
        values = result.facets.get(name, [])
        if not values:
            continue
        choices = [
            FacetChoice(v.label, v.count, v.selected, toggled(params, name, v.value))
            for v in sorted(values, key=lambda v: not v.selected)
        ]
        if name in CHOICE_LABELS:
            fixed = dict(CHOICE_LABELS[name])
            choices = [
                FacetChoice(
                    fixed.get(v.value, v.label), v.count, v.selected, toggled(params, name, v.value)
                )
                for v in sorted(values, key=lambda v: not v.selected)
            ]
        groups.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "shown": choices[:SHOWN_VALUES],
                "more": choices[SHOWN_VALUES:],
            }
        )
    return groups


def active_filters(result, params: QueryDict) -> list[dict]:
    """Each active filter value with a link that removes it."""
    labels = {
        (name, value): label for name, pairs in CHOICE_LABELS.items() for value, label in pairs
    }
    for name, values in result.facets.items():
        for v in values:
            labels.setdefault((name, v.value), v.label)
    active = []
    for name, label in FILTER_LABELS.items():
        for value in params.getlist(name):
            if value:
                active.append(
                    {
                        "name": label,
                        "value": labels.get((name, value), value),
                        "url": toggled(params, name, value),
                    }
                )
    return active


def pages(result, params: QueryDict) -> list[dict]:
    numbers = sorted(
        {1, result.num_pages}
        | set(
            range(
                max(1, result.page - PAGE_WINDOW),
                min(result.num_pages, result.page + PAGE_WINDOW) + 1,
            )
        )
    )
    items, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            items.append({"gap": True})
        items.append(
            {
                "number": number,
                "url": link(params, page=str(number)),
                "current": number == result.page,
            }
        )
        previous = number
    return items


def without_words(text: str, words: tuple[str, ...]) -> str:
    """`text` without `words` (whole words, any case): what removing a reading leaves."""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return " ".join(pattern.sub(" ", text).split())


def reading(result, params: QueryDict) -> dict | None:
    """How the words were read, for the notices above the results: the kinds they asked
    for (each a chip whose link searches without that word), the common words left out,
    whether every word matched, and a spelling the catalog knows."""
    interpretation = result.interpretation
    if interpretation is None or result.errors:
        return None
    text = params.get("q", "")
    kinds = dict(ArtifactKind.choices)
    chips = []
    for kind in interpretation.kinds:
        words = tuple(w for w in interpretation.kind_words if KIND_WORDS.get(w.lower()) == kind)
        remaining = without_words(text, words)
        chips.append(
            {
                "label": f"Kind: {kinds[kind]}",
                "words": ", ".join(f"“{w}”" for w in words),
                "url": link(params, q=remaining or None),
            }
        )
    did_you_mean = interpretation.did_you_mean
    return {
        "chips": chips,
        "ignored": interpretation.ignored,
        "some": interpretation.match == "some",
        "corrected": interpretation.corrected,
        "did_you_mean": did_you_mean,
        "did_you_mean_url": link(params, q=did_you_mean) if did_you_mean else "",
    }
