"""Make rows hold given values, writing only what differs, and count what was done.

`save_changes` is the one compare-then-save routine: a row, its own fields, its child
rows and the shared rows all go through it, so a second load of the same seeds writes
nothing (and records no history).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

from catalog.licenses import get_or_create_licenses
from catalog.models import License, Tag
from catalog.seeding.report import SeedReport


def save_changes(
    report: SeedReport, row: models.Model | None, values: dict, make: Callable[[], models.Model]
) -> models.Model:
    """Create the row (`make()` with `values`) or set the `values` that differ; validate
    and save only then. Returns the row."""
    if row is None:
        row, state = make(), "created"
    else:
        state = "updated" if any(getattr(row, k) != v for k, v in values.items()) else "unchanged"
    label = row._meta.verbose_name_plural
    if state != "unchanged":
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
    report.count(label, state)
    return row


def upsert(report: SeedReport, model: type[models.Model], lookup: dict, values: dict):
    """The row of `model` found by `lookup`, created or updated to hold `values`."""
    row = model.objects.filter(**lookup).first()
    return save_changes(report, row, values, lambda: model(**lookup))


def sync_children(
    report: SeedReport,
    queryset: models.QuerySet,
    key: Callable[[models.Model], object],
    wanted: dict[object, dict],
    make: Callable[[], models.Model],
) -> None:
    """Make the rows of `queryset` match `wanted` (key -> field values): stale rows go."""
    existing = {key(row): row for row in queryset}
    for stale_key in existing.keys() - wanted.keys():
        existing[stale_key].delete()
        report.count(queryset.model._meta.verbose_name_plural, "deleted")
    for row_key, values in wanted.items():
        save_changes(report, existing.get(row_key), values, make)


def set_links(report: SeedReport, manager, objects: list, label: str) -> None:
    """Make the links match `objects`, counting each link row added, removed or kept."""
    current = {o.pk for o in manager.all()}
    wanted = {o.pk for o in objects}
    if current != wanted:
        manager.set(objects)
    report.count(label, "created", len(wanted - current))
    report.count(label, "deleted", len(current - wanted))
    report.count(label, "unchanged", len(wanted & current))


def licenses(report: SeedReport, keys) -> list[License]:
    """The License rows for `keys`; the registry's ones are created on first use."""
    keys = list(keys)
    existing = set(License.objects.filter(key__in=keys).values_list("key", flat=True))
    for key in keys:
        report.count_shared("licenses", key, "unchanged" if key in existing else "created")
    return get_or_create_licenses(keys)


def tags(report: SeedReport, slugs: list[str]) -> list[Tag]:
    """The Tag rows for `slugs`, created on first use."""
    found = {tag.slug: tag for tag in Tag.objects.filter(slug__in=slugs)}
    rows = []
    for slug in slugs:
        if slug in found:
            report.count_shared("tags", slug, "unchanged")
        else:
            found[slug] = save_changes(report, None, {}, lambda s=slug: Tag(slug=s))
            report.seen.add(("tags", slug))
        rows.append(found[slug])
    return rows
