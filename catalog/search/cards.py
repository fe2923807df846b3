"""An entry's result card: what every list of entries shows of it, as JSON.

The card is written into the entry's search document by the same refresh that writes
its text (`catalog.search.documents`), so a list reads a whole page of cards in one
statement after the match. The API's `ArtifactSerializer` is the card plus what depends
on the request (its addresses); its declared fields document the card in the OpenAPI
schema, and tests hold real answers to that schema.

`card_of` reads only fields and prefetched relations, no model method, so migrations'
historical models can build cards too.
"""

from __future__ import annotations

from catalog.models.artifacts import huggingface_url, lead_first, release_display
from catalog.models.search import ArtifactSearchDocument

LICENSE_FIELDS = (
    "key",
    "name",
    "url",
    "category",
    "commercial_use",
    "share_alike",
    "attribution",
    "use_restrictions",
)
VARIANT_FIELDS = ("name", "parameters", "active_parameters")
# The relations a card reads, for prefetch_related.
CARD_RELATIONS = ("tasks", "modalities", "languages", "tags", "licenses", "variants")


def artifact_links(
    *, homepage_url: str, repository_url: str, huggingface_url: str, paper_url: str
) -> dict[str, str]:
    """An entry's links that it has, by name."""
    links = {
        "homepage": homepage_url,
        "repository": repository_url,
        "huggingface": huggingface_url,
        "paper": paper_url,
    }
    return {name: value for name, value in links.items() if value}


def _slugs(terms, order: str = "name") -> list[str]:
    """Term slugs in the order the taxonomy lists them (by name; tags by slug)."""
    return [term.slug for term in sorted(terms, key=lambda term: getattr(term, order))]


def card_of(artifact) -> dict:
    """The card of one entry, its contributions (with organizations) and CARD_RELATIONS
    prefetched."""
    return {
        "id": f"{artifact.namespace}/{artifact.slug}",
        "kind": artifact.kind,
        "name": artifact.name,
        "summary": artifact.summary,
        "status": artifact.status,
        "organizations": [
            {"slug": c.organization.slug, "name": c.organization.name, "role": c.role}
            for c in lead_first(artifact.contributions.all())
        ],
        "license": {
            "expression": artifact.license_expression,
            "note": artifact.license_note,
            "parts": [
                {name: getattr(lic, name) for name in LICENSE_FIELDS}
                for lic in sorted(artifact.licenses.all(), key=lambda lic: lic.key)
            ],
        },
        "released": release_display(artifact.released_on, artifact.release_precision),
        "tasks": _slugs(artifact.tasks.all()),
        "modalities": _slugs(artifact.modalities.all()),
        "languages": _slugs(artifact.languages.all()),
        "tags": _slugs(artifact.tags.all(), "slug"),
        "parameters": [
            {name: getattr(v, name) for name in VARIANT_FIELDS}
            for v in sorted(artifact.variants.all(), key=lambda v: (v.parameters, v.name))
        ],
        "openness_class": artifact.openness_class,
        "links": artifact_links(
            homepage_url=artifact.homepage_url,
            repository_url=artifact.repository_url,
            huggingface_url=huggingface_url(artifact.kind, artifact.huggingface_repo_id),
            paper_url=artifact.paper_url,
        ),
    }


def stored_cards(ids: list[int], *columns: str) -> dict[int, tuple[dict, dict]]:
    """The stored cards of the entries `ids`, with the entry's `columns` a reader needs
    beside them (e.g. `updated_at`), by entry id: one statement."""
    rows = ArtifactSearchDocument.objects.filter(artifact_id__in=ids).values_list(
        "artifact_id", "card", *(f"artifact__{column}" for column in columns)
    )
    return {pk: (card, dict(zip(columns, values, strict=True))) for pk, card, *values in rows}
