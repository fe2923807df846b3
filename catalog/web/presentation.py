"""Small wordings the pages share: license phrases, parameter counts, field labels.

The views call these and hand plain values to the templates (the `catalog.web` package
is not an installed app, so it has no template tag library of its own).
"""

from __future__ import annotations

from catalog.models import Artifact, ArtifactKind
from catalog.web.license_answers import LicenseSummary, summarize_license

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


def as_cards(artifacts) -> list[Artifact]:
    """The artifacts as a list, each with what its card shows beyond its own fields.

    `license_summary`, `license_phrase` and `card_organizations` (lead first) are read
    from the prefetched licenses and contributions, so a page of cards costs no query
    per card.
    """
    artifacts = list(artifacts)
    for artifact in artifacts:
        artifact.license_summary = summarize_license(artifact)
        artifact.license_phrase = license_phrase(artifact.license_summary)
        artifact.card_organizations = [c.organization for c in artifact.contributions_lead_first()]
    return artifacts


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
