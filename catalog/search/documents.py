"""Build, refresh, rebuild and check the search documents (catalog.models.search).

A document holds an entry's searchable text and its result card (`catalog.search.cards`),
written together, so lists read cards that are exactly as fresh as the text they match.
The same refresh writes the entry's facet values (`ArtifactFacet`, what facet counts
count: `catalog.search.facets`).

Each backend's index follows the document table by itself (FTS5 triggers on SQLite, a
generated tsvector column on PostgreSQL), so keeping the index true means keeping the
documents true: `refresh_documents` after a write, `rebuild_documents` in bulk,
`check_index` to verify.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch

from catalog.models.artifacts import lead_first
from catalog.search import backends, vocabulary
from catalog.search.cards import CARD_RELATIONS, card_of
from catalog.search.facets import facet_rows_of, invalidate_facet_cache

BATCH_SIZE = 2000
DOCUMENT_FIELDS = ("name", "summary", "terms", "organizations", "description")


def document_values(artifact) -> dict[str, str]:
    """The searchable text of one artifact, its relations prefetched (see `_with_text`)."""
    # Sorted here, not by the models' default orderings, so the text is stable.
    terms = [
        *sorted(tag.slug.replace("-", " ") for tag in artifact.tags.all()),
        *sorted(task.name for task in artifact.tasks.all()),
        *sorted(modality.name for modality in artifact.modalities.all()),
        # "permissive", "copyleft": how researchers ask about licenses.
        *sorted({license.category for license in artifact.licenses.all()}),
    ]
    organizations = []
    for contribution in lead_first(artifact.contributions.all()):
        organization = contribution.organization
        organizations.append(organization.name)
        if organization.full_name and organization.full_name != organization.name:
            organizations.append(organization.full_name)
    return {
        "name": artifact.name,
        "summary": artifact.summary,
        "terms": " ".join(terms),
        "organizations": " ".join(organizations),
        "description": artifact.description,
    }


def _with_text(artifacts: models.QuerySet, contribution_model) -> models.QuerySet:
    """The artifacts with what their text and card read: one query per relation for the
    whole batch, not one per artifact."""
    return artifacts.prefetch_related(
        *CARD_RELATIONS,
        Prefetch(
            "contributions",
            queryset=contribution_model.objects.select_related("organization").only(
                "artifact_id",
                "role",
                "organization__slug",
                "organization__name",
                "organization__full_name",
            ),
        ),
    )


def _has_cards(document_model) -> bool:
    """Migrations before 0014 write documents without a card."""
    return any(f.name == "card" for f in document_model._meta.get_fields())


def _models(apps=None):
    """The concrete models, or the historical ones a migration passes in (before 0018,
    without `ArtifactFacet`: None)."""
    if apps is None:
        from catalog.models import Artifact, ArtifactFacet, ArtifactSearchDocument, Contribution

        return Artifact, Contribution, ArtifactSearchDocument, ArtifactFacet
    try:
        facet_model = apps.get_model("catalog", "ArtifactFacet")
    except LookupError:
        facet_model = None
    return (
        apps.get_model("catalog", "Artifact"),
        apps.get_model("catalog", "Contribution"),
        apps.get_model("catalog", "ArtifactSearchDocument"),
        facet_model,
    )


def refresh_documents(
    artifact_ids: Iterable[int], *, apps=None, progress: Callable[[int], None] | None = None
) -> int:
    """Write the documents of these artifacts (those that still exist); return how many.
    `progress(n)` is told of each batch written."""
    Artifact, Contribution, Document, Facet = _models(apps)
    ids = sorted({pk for pk in artifact_ids if pk is not None})
    written = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        artifacts = _with_text(Artifact.objects.filter(pk__in=batch), Contribution)
        with_cards = _has_cards(Document)
        rows = [
            Document(
                artifact_id=a.pk,
                **document_values(a),
                **({"card": card_of(a)} if with_cards else {}),
            )
            for a in artifacts
        ]
        Document.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["artifact"],
            update_fields=[*DOCUMENT_FIELDS, *(["card"] if with_cards else [])],
        )
        if Facet is not None:
            Facet.objects.filter(artifact_id__in=batch).delete()
            Facet.objects.bulk_create(
                Facet(artifact_id=a.pk, dimension=dimension, value=value)
                for a in artifacts
                for dimension, value in sorted(facet_rows_of(a))
            )
        written += len(rows)
        if progress:
            progress(len(batch))
        if apps is None:  # migrations before 0006 have no vocabulary table yet
            vocabulary.add_words(
                vocabulary.words_of(getattr(row, name) for row in rows for name in DOCUMENT_FIELDS)
            )
    if apps is None:
        invalidate_facet_cache()
    return written


def rebuild_documents(*, apps=None, progress: Callable[[int], None] | None = None) -> int:
    """Rewrite every document and the index from scratch; return how many there are."""
    Artifact, _, Document, Facet = _models(apps)
    Document.objects.all().delete()
    if Facet is not None:
        Facet.objects.all().delete()
    backends.current().clear_index()
    if apps is None:
        vocabulary.clear()
    ids = list(Artifact.objects.order_by("pk").values_list("pk", flat=True))
    return refresh_documents(ids, apps=apps, progress=progress)


@dataclass
class IndexCheck:
    """What `check_index` found; `ok` when the index says what the catalog says."""

    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphans: int = 0
    index_problem: str = ""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphans or self.index_problem)

    def lines(self) -> list[str]:
        lines = []
        if self.missing:
            lines.append(
                f"{len(self.missing)} artifact(s) without a search document: "
                + ", ".join(self.missing[:10])
            )
        if self.stale:
            lines.append(
                f"{len(self.stale)} search document(s) out of date: " + ", ".join(self.stale[:10])
            )
        if self.orphans:
            lines.append(f"{self.orphans} search document(s) of artifacts that no longer exist")
        if self.index_problem:
            lines.append(self.index_problem)
        return lines


def check_index() -> IndexCheck:
    """Compare every document with the text its artifact has now, and the index with both."""
    from catalog.models import Artifact, ArtifactFacet, ArtifactSearchDocument, Contribution

    result = IndexCheck()
    result.orphans = ArtifactSearchDocument.objects.exclude(
        artifact_id__in=Artifact.objects.values("pk")
    ).count()
    ids = list(Artifact.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        stored = {
            row["artifact_id"]: row
            for row in ArtifactSearchDocument.objects.filter(artifact_id__in=batch).values(
                "artifact_id", "card", *DOCUMENT_FIELDS
            )
        }
        facets: dict[int, set[tuple[str, str]]] = {}
        for artifact_id, dimension, value in ArtifactFacet.objects.filter(
            artifact_id__in=batch
        ).values_list("artifact_id", "dimension", "value"):
            facets.setdefault(artifact_id, set()).add((dimension, value))
        for artifact in _with_text(Artifact.objects.filter(pk__in=batch), Contribution):
            row = stored.get(artifact.pk)
            expected = {**document_values(artifact), "card": card_of(artifact)}
            if row is None:
                result.missing.append(artifact.repo_id)
            elif any(row[name] != value for name, value in expected.items()) or facets.get(
                artifact.pk, set()
            ) != facet_rows_of(artifact):
                result.stale.append(artifact.repo_id)
    result.index_problem = backends.current().check_index()
    return result
