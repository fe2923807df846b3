"""Keeping the search documents and the facet counts true on every write path.

Admin, API, commands, imports and simple-history reverts all end in `save()`,
`delete()` or an m2m change, so receivers on those signals see every write. Which
entries' documents a write changes is declared once, in the tables below; `connect()`
(called from `CatalogConfig.ready`) wires them up.

A bulk writer (seeding, an import, a generated catalog) wraps its work in
`refreshing_once()`: each entry touched is then written once, at the end of the block,
instead of once per row that mentions it. The block runs inside the writer's
transaction, so the documents commit or roll back with the entries: no moment exists
when a committed entry has a stale document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from catalog.models import (
    Artifact,
    Contribution,
    Language,
    License,
    Modality,
    ModelVariant,
    Organization,
    Tag,
    Task,
)
from catalog.search.cards import LICENSE_FIELDS
from catalog.search.documents import refresh_documents
from catalog.search.facets import invalidate_facet_cache


def _itself(artifact: Artifact) -> list[int]:
    return [artifact.pk]


def _its_entry(row: Contribution) -> list[int]:
    return [row.artifact_id]


def _its_contributed_entries(organization: Organization) -> list[int]:
    return list(
        Contribution.objects.filter(organization=organization).values_list("artifact_id", flat=True)
    )


def _its_linked_entries(term: Model) -> list[int]:
    return list(term.artifacts.values_list("pk", flat=True))


# A document holds an entry's text and its card (catalog.search.cards): a write to
# anything either shows must refresh it.

# sender -> the entries whose documents a save changes.
ON_SAVE: dict[type[Model], Callable[[Model], list[int]]] = {
    Artifact: _itself,
    Contribution: _its_entry,
    ModelVariant: _its_entry,
}
# sender -> the entries whose documents a delete changes (an entry's own goes with it).
ON_DELETE: dict[type[Model], Callable[[Model], list[int]]] = {
    Contribution: _its_entry,
    ModelVariant: _its_entry,
    Task: _its_linked_entries,
    Modality: _its_linked_entries,
    Language: _its_linked_entries,
    Tag: _its_linked_entries,
}
# sender -> (the fields a document shows, the entries whose documents a change of them
# changes).
ON_RENAME: dict[type[Model], tuple[tuple[str, ...], Callable[[Model], list[int]]]] = {
    Organization: (("slug", "name", "full_name"), _its_contributed_entries),
    Task: (("slug", "name"), _its_linked_entries),
    Modality: (("slug", "name"), _its_linked_entries),
    Language: (("slug", "name"), _its_linked_entries),
    Tag: (("slug",), _its_linked_entries),
    License: (LICENSE_FIELDS, _its_linked_entries),
}
# Links from an entry to terms its document holds.
TERM_LINKS = (
    Artifact.tags.through,
    Artifact.tasks.through,
    Artifact.modalities.through,
    Artifact.languages.through,
    Artifact.licenses.through,
)


# ------------------------------------------------------------------------------
# Refreshing now, or once at the end of a bulk write
# ------------------------------------------------------------------------------

_batches = threading.local()


@contextmanager
def refreshing_once() -> Iterator[set[int]]:
    """Collect the entries touched in this block; write each one's document at its end,
    if it ends without an error (one that rolls its transaction back leaves nothing to
    write, and a failed statement leaves a transaction that refuses any more)."""
    stack = _batches.__dict__.setdefault("stack", [])
    pending: set[int] = set()
    stack.append(pending)
    try:
        yield pending
    finally:
        stack.pop()
    if stack:
        stack[-1].update(pending)  # an outer block writes them
    elif pending:
        refresh_documents(pending)


def refresh(artifact_ids: Iterable[int]) -> None:
    ids = [pk for pk in artifact_ids if pk is not None]
    stack = getattr(_batches, "stack", None)
    if stack:
        stack[-1].update(ids)
    elif ids:
        refresh_documents(ids)


# ------------------------------------------------------------------------------
# Receivers
# ------------------------------------------------------------------------------


def _saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        refresh(ON_SAVE[sender](instance))


def _before_delete(sender, instance, **kwargs) -> None:
    # After the delete the links are gone: note now whose text it was.
    origin = kwargs.get("origin")
    if getattr(origin, "model", type(origin)) is Artifact:
        instance._search_affected = []  # the entry itself is going, with its document
    else:
        instance._search_affected = ON_DELETE[sender](instance)


def _deleted(sender, instance, **kwargs) -> None:
    refresh(getattr(instance, "_search_affected", []))


def _before_rename(sender, instance, raw: bool = False, **kwargs) -> None:
    fields, _ = ON_RENAME[sender]
    if raw or instance.pk is None:
        instance._search_old_name = None
        return
    instance._search_old_name = sender.objects.filter(pk=instance.pk).values_list(*fields).first()


def _renamed(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    fields, affected = ON_RENAME[sender]
    if raw or created:
        return
    if getattr(instance, "_search_old_name", None) != tuple(getattr(instance, f) for f in fields):
        refresh(affected(instance))


def _terms_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "post_clear", "pre_clear"}:
        return
    if not reverse:  # artifact.tags.add(...)
        if action != "pre_clear":
            refresh([instance.pk])
        return
    # tag.artifacts.add(...): the entries are in pk_set, or all of them on a clear.
    if action == "pre_clear":
        instance._search_cleared_ids = list(instance.artifacts.values_list("pk", flat=True))
    elif action == "post_clear":
        refresh(getattr(instance, "_search_cleared_ids", []))
    else:
        refresh(pk_set or [])


def _facets_changed(sender, **kwargs) -> None:
    if not kwargs.get("raw"):
        invalidate_facet_cache()


def connect() -> None:
    for model in ON_SAVE:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-saved-{model.__name__}")
    for model in ON_DELETE:
        uid = f"search-deleted-{model.__name__}"
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"{uid}-before")
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    for model in ON_RENAME:
        uid = f"search-renamed-{model.__name__}"
        pre_save.connect(_before_rename, sender=model, dispatch_uid=f"{uid}-before")
        post_save.connect(_renamed, sender=model, dispatch_uid=uid)
    for through in TERM_LINKS:
        m2m_changed.connect(_terms_changed, sender=through, dispatch_uid=f"search-{through}")
    # A deleted entry's document goes by cascade; the counts that included it must too.
    post_delete.connect(_facets_changed, sender=Artifact, dispatch_uid="search-facets-deleted")
