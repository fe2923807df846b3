"""The search document: an artifact's searchable text, gathered from several tables.

Full-text search ranks over text that lives in five tables (the artifact, its tags,
tasks and modalities, and its organizations' names). One row here per artifact holds
that text flattened, so each backend indexes a single table: SQLite keeps an FTS5
external-content table in sync with it through triggers, PostgreSQL keeps a stored
weighted tsvector column on it with a GIN index (both made in migration 0002).

`catalog.search.signals` keeps the row true on every write path.
"""

from __future__ import annotations

from django.db import models

from catalog.models.artifacts import Artifact


class ArtifactSearchDocument(models.Model):
    """What full-text search reads for one artifact, by weight (strongest first)."""

    artifact = models.OneToOneField(
        Artifact, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    name = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    terms = models.TextField(blank=True, help_text="Tags, task and modality names.")
    organizations = models.TextField(blank=True, help_text="Names of its organizations.")
    description = models.TextField(blank=True)
    card = models.JSONField(
        default=dict, blank=True, help_text="What a list shows of it (catalog.search.cards)."
    )

    class Meta:
        verbose_name = "artifact search document"

    def __str__(self) -> str:
        return f"search document of {self.artifact_id}"


class ArtifactFacet(models.Model):
    """One value an artifact has in one facet dimension (`catalog.search.facets`).

    Written with the artifact's search document, by the same refresh, so facet counts
    read one narrow table: `GROUP BY dimension, value` over the matching artifacts' rows,
    every facet without a filter of its own in one statement, from an index alone.
    """

    # No index of its own: the constraint's index leads with it.
    artifact = models.ForeignKey(
        Artifact, on_delete=models.CASCADE, related_name="facets", db_index=False
    )
    dimension = models.CharField(max_length=32)
    value = models.CharField(max_length=255)

    class Meta:
        verbose_name = "artifact facet value"
        constraints = [
            # Also the index counts read: by artifact, then what they group by.
            models.UniqueConstraint(
                fields=["artifact", "dimension", "value"], name="facet_value_once_per_artifact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value} of {self.artifact_id}"
