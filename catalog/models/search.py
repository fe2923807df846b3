"""The search document: an artifact's searchable text, gathered from several tables.

Full-text search ranks over text that lives in five tables (the artifact, its tags,
tasks and modalities, and its organizations' names). One row here per artifact holds
that text flattened, so each backend indexes a single table: SQLite keeps an FTS5
external-content table in sync with it through triggers, PostgreSQL keeps a stored
weighted tsvector column on it with a GIN index (both made in migration 0002).

The receivers below keep the row true on every write path, since admin, API, commands
and simple-history reverts all end in `save()`, `delete()` or an m2m change.
"""

from __future__ import annotations

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from catalog.models.artifacts import Artifact, Contribution
from catalog.models.licenses import License
from catalog.models.organizations import Organization
from catalog.models.taxonomy import Modality, Tag, Task


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

    class Meta:
        verbose_name = "artifact search document"

    def __str__(self) -> str:
        return f"search document of {self.artifact_id}"


# ------------------------------------------------------------------------------
# Keeping the document true. Imports of catalog.search happen at call time, because
# catalog.search reads these models.
# ------------------------------------------------------------------------------


def _refresh(artifact_ids) -> None:
    from catalog.search.documents import refresh_documents

    refresh_documents(artifact_ids)


@receiver(post_save, sender=Artifact)
def artifact_saved(sender, instance: Artifact, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh([instance.pk])


@receiver(post_save, sender=Contribution)
@receiver(post_delete, sender=Contribution)
def contribution_changed(sender, instance: Contribution, raw: bool = False, **kwargs) -> None:
    origin = kwargs.get("origin")
    if getattr(origin, "model", type(origin)) is Artifact:
        return  # the artifact itself is being deleted, and its document with it
    if not raw:
        _refresh([instance.artifact_id])


def _terms_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    if not reverse:
        if action != "pre_clear":
            _refresh([instance.pk])
        return
    # tag.artifacts.add(...): the artifacts are in pk_set, or all of them on a clear.
    if action == "pre_clear":
        instance._search_cleared_ids = list(instance.artifacts.values_list("pk", flat=True))
    elif action == "post_clear":
        _refresh(getattr(instance, "_search_cleared_ids", []))
    else:
        _refresh(pk_set or [])


for _through in (
    Artifact.tags.through,
    Artifact.tasks.through,
    Artifact.modalities.through,
    Artifact.licenses.through,  # the document holds the licenses' categories
):
    m2m_changed.connect(_terms_changed, sender=_through, dispatch_uid=f"search-{_through}")


# A renamed organization, task, modality or tag changes the text of all its artifacts.
_NAME_FIELDS = {
    Organization: ("name", "full_name"),
    Task: ("name",),
    Modality: ("name",),
    Tag: ("slug",),
    License: ("category",),
}


def _remember_name(sender, instance, raw: bool = False, **kwargs) -> None:
    fields = _NAME_FIELDS[sender]
    if raw or instance.pk is None:
        instance._search_old_name = None
        return
    instance._search_old_name = sender.objects.filter(pk=instance.pk).values_list(*fields).first()


def _artifact_ids_of(instance) -> list[int]:
    if isinstance(instance, Organization):
        ids = Contribution.objects.filter(organization=instance).values_list("artifact_id")
    else:
        ids = instance.artifacts.values_list("pk")
    return [pk for (pk,) in ids]


def _refresh_if_renamed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or created:
        return
    now = tuple(getattr(instance, field) for field in _NAME_FIELDS[sender])
    if getattr(instance, "_search_old_name", None) == now:
        return
    _refresh(_artifact_ids_of(instance))


def _remember_artifacts_of_deleted_term(sender, instance, **kwargs) -> None:
    # Deleting a term removes its links without m2m_changed: note whose text it was.
    instance._search_artifact_ids = _artifact_ids_of(instance)


def _refresh_after_term_deleted(sender, instance, **kwargs) -> None:
    _refresh(getattr(instance, "_search_artifact_ids", []))


for _model in _NAME_FIELDS:
    pre_save.connect(_remember_name, sender=_model, dispatch_uid=f"search-old-{_model}")
    post_save.connect(_refresh_if_renamed, sender=_model, dispatch_uid=f"search-new-{_model}")
for _model in (Task, Modality, Tag):
    pre_delete.connect(
        _remember_artifacts_of_deleted_term, sender=_model, dispatch_uid=f"search-del-{_model}"
    )
    post_delete.connect(
        _refresh_after_term_deleted, sender=_model, dispatch_uid=f"search-deleted-{_model}"
    )


# Cached unfiltered facet counts are dropped whenever what they count changes.
def _catalog_changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    from catalog.search.facets import invalidate_facet_cache

    invalidate_facet_cache()


post_delete.connect(_catalog_changed, sender=Artifact, dispatch_uid="search-facets-deleted")
for _through in (Artifact.licenses.through, Artifact.languages.through):
    m2m_changed.connect(_catalog_changed, sender=_through, dispatch_uid=f"search-facets-{_through}")
