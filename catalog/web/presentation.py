"""Small wordings the pages share: license phrases, result cards, parameter counts, field
labels.

The views call these and hand plain values to the templates (the `catalog.web` package
is not an installed app, so it has no template tag library of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from catalog.models import ArtifactKind
from catalog.search.cards import stored_cards
from catalog.web.license_answers import LicensePart, LicenseSummary, summarize_license

UNVERIFIED_FIELD_LABELS = {
    "released": "Release date",
    "repository": "Repository",
    "license": "License",
    "parameters": "Parameters",
    "kind": "Kind",
    "country": "Country",
    "website": "Website",
}
COMMERCIAL_WORDS = {
    True: "commercial use allowed",
    False: "no commercial use",
    None: "read the terms",
}


def license_phrase(summary: LicenseSummary | None) -> str:
    """A license in a few plain words, e.g. 'Commercial use allowed, use restrictions'."""
    if summary is None:
        return "License not recorded"
    answers = {answer.field: answer.value for answer in summary.answers}
    words = COMMERCIAL_WORDS[answers["commercial_use"]]
    if answers["use_restrictions"]:
        words += ", use restrictions"
    if answers["share_alike"]:
        words += ", share-alike"
    return words[0].upper() + words[1:]


@dataclass(frozen=True)
class ResultCard:
    """What a page's list (search results, the newest entries) shows of an entry."""

    kind: str
    kind_label: str
    name: str
    summary: str
    status: str
    released: str
    url: str
    organizations: list[str]  # names, lead first
    license_summary: LicenseSummary | None
    license_phrase: str


def result_card(card: dict) -> ResultCard:
    """The page's card of an entry, from its stored result card (`catalog.search.cards`)."""
    namespace, _, slug = card["id"].partition("/")
    license = card["license"]
    summary = summarize_license(
        license["expression"], [LicensePart(**part) for part in license["parts"]]
    )
    return ResultCard(
        kind=card["kind"],
        kind_label=ArtifactKind(card["kind"]).label,
        name=card["name"],
        summary=card["summary"],
        status=card["status"],
        released=card["released"],
        url=reverse("web:artifact", kwargs={"namespace": namespace, "slug": slug}),
        organizations=[organization["name"] for organization in card["organizations"]],
        license_summary=summary,
        license_phrase=license_phrase(summary),
    )


def result_cards(ids: list[int]) -> list[ResultCard]:
    """The cards of the entries `ids`, in that order: one statement."""
    cards = stored_cards(ids)
    return [result_card(cards[pk][0]) for pk in ids]


def parameter_count(count: int | None) -> str:
    """7000000000 -> '7B', 1300000000 -> '1.3B'."""
    if not count:
        return ""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if count >= size:
            text = f"{count / size:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return str(count)


def kind_plural(kind: str) -> str:
    return f"{ArtifactKind(kind).label}s"


def unverified_claims(unverified: dict) -> list[tuple[str, str]]:
    """(label, claim) pairs, for showing clearly labelled as unverified."""
    return [
        (UNVERIFIED_FIELD_LABELS.get(field, field.replace("_", " ").capitalize()), str(value))
        for field, value in sorted(unverified.items())
    ]
