"""Facet counts: for each value of a facet, how many entries match all the *other* filters.

Counting under the other filters (not the facet's own) lets a reader pick several values
of one facet. Each facet is a `Dimension`, declared once below: the values an entry has
in it (written, with the entry's search document, as `ArtifactFacet` rows) and their
labels. Counting is `GROUP BY dimension, value` over the matching entries' rows: every
facet whose own filter is not set shares one statement, each facet whose filter is set
has one of its own. At most FACET_LIMIT values are listed (largest first); values the
reader selected always are.

Counts that depend on no filter at all (the facet's own filter may be set) are the same
for every reader, so they are cached (Django's cache: Redis in production) until the
catalog changes; every write that changes what they count calls `invalidate_facet_cache`,
and a TTL bounds what a write that bypasses signals (QuerySet.update) can leave stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, QuerySet
from django.dispatch import Signal

from catalog.models import (
    ArtifactFacet,
    ArtifactKind,
    Language,
    License,
    LicenseCategory,
    Modality,
    OpennessClass,
    Organization,
    Task,
)
from catalog.replicas import shareable

FACET_LIMIT = 20
CACHE_SECONDS = 300
_GENERATION_KEY = "catalog:search:generation"


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "label": self.label,
            "count": self.count,
            "selected": self.selected,
        }


@dataclass(frozen=True)
class Dimension:
    """One facet, named as the filter it counts.

    `values_of(artifact)`: the entry's values, from its fields and prefetched relations
    only (migrations' historical models call it too); `labels(values)`: what each shows.
    """

    name: str
    values_of: Callable[[object], Iterable[str]]
    labels: Callable[[list[str]], dict[str, str]]


def _choices(choices) -> Callable[[list[str]], dict[str, str]]:
    labels = {str(value): str(label) for value, label in choices}
    return lambda values: labels


def _names(model, field: str = "slug") -> Callable[[list[str]], dict[str, str]]:
    def labels(values: list[str]) -> dict[str, str]:
        return dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "name"))

    return labels


def _slugs_of(relation: str) -> Callable[[object], list[str]]:
    return lambda artifact: [term.slug for term in getattr(artifact, relation).all()]


def _commercial_use_of(artifact) -> list[str]:
    """As `filters.commercial_use_condition` answers: "false" if some license part forbids
    commercial use, "true" if every part allows it, neither if unknown or no license."""
    allowed = [license.commercial_use for license in artifact.licenses.all()]
    if False in allowed:
        return ["false"]
    if allowed and all(allowed):
        return ["true"]
    return []


DIMENSIONS = (
    Dimension("kind", lambda a: [a.kind], _choices(ArtifactKind.choices)),
    Dimension(
        "organization",
        lambda a: [c.organization.slug for c in a.contributions.all()],
        _names(Organization),
    ),
    Dimension("license", lambda a: [lic.key for lic in a.licenses.all()], _names(License, "key")),
    Dimension(
        "license_category",
        lambda a: [lic.category for lic in a.licenses.all()],
        _choices(LicenseCategory.choices),
    ),
    Dimension(
        "commercial_use",
        _commercial_use_of,
        _choices([("true", "Commercial use allowed"), ("false", "No commercial use")]),
    ),
    Dimension(
        "openness_class",
        lambda a: [a.openness_class] if a.openness_class else [],
        _choices(OpennessClass.choices),
    ),
    Dimension("task", _slugs_of("tasks"), _names(Task)),
    Dimension("modality", _slugs_of("modalities"), _names(Modality)),
    Dimension("language", _slugs_of("languages"), _names(Language)),
    Dimension("tag", _slugs_of("tags"), lambda values: {}),  # a free tag is its own label
)
FACETS: dict[str, Dimension] = {dimension.name: dimension for dimension in DIMENSIONS}


def facet_rows_of(artifact) -> set[tuple[str, str]]:
    """(dimension, value) of every facet value the entry has."""
    return {
        (dimension.name, str(value))
        for dimension in DIMENSIONS
        for value in dimension.values_of(artifact)
        if value != ""
    }


def _new_generation() -> None:
    cache.set(_GENERATION_KEY, time.time_ns(), None)


def invalidate_facet_cache() -> None:
    """Forget every cached count; called whenever the catalog changes.

    Once now, for readers in this transaction, and again at commit: a reader elsewhere
    may have cached the counts it saw before the commit under the newer generation.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def _generation() -> int:
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        cache.add(_GENERATION_KEY, generation, None)
        generation = cache.get(_GENERATION_KEY, generation)
    return generation


# Sent on each look-up of a cached count, with `hit` True when it was there:
# catalog.metrics counts them.
looked_up = Signal()


def cached_each(
    keys: dict[str, str], compute: Callable[[list[str]], dict[str, object]]
) -> dict[str, object]:
    """For each name in `keys`, the value cached under its key until the catalog next
    changes; `compute(names)` gives those not cached, and they are kept.

    Counted on a read replica just after a change, they may predate it: they are then
    used but not kept, so nobody is shown counts older than their own change.
    """
    generation = _generation()
    full_keys = {name: f"catalog:search:{generation}:{key}" for name, key in keys.items()}
    found = cache.get_many(list(full_keys.values()))
    values, missing = {}, []
    for name, full_key in full_keys.items():
        looked_up.send(cached, hit=full_key in found)
        if full_key in found:
            values[name] = found[full_key]
        else:
            missing.append(name)
    if missing:
        computed = compute(missing)
        values.update((name, computed[name]) for name in missing)
        if shareable(generation / 1e9, now=time.time()):
            cache.set_many({full_keys[name]: computed[name] for name in missing}, CACHE_SECONDS)
    return values


def cached(key: str, compute: Callable[[], object]) -> object:
    """`compute()`, cached under `key` until the catalog next changes (see `cached_each`)."""
    return cached_each({key: key}, lambda missing: {key: compute()})[key]


Row = tuple[str, str, int]  # value, label, count


def _count(names: list[str], artifacts: QuerySet) -> dict[str, list[Row]]:
    """The counts of facets `names` over `artifacts`, in one statement, largest first."""
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    rows = ArtifactFacet.objects.filter(artifact_id__in=artifacts.values("pk"))
    if len(names) < len(DIMENSIONS):
        rows = rows.filter(dimension__in=names)
    counted = rows.order_by().values("dimension", "value").annotate(n=Count("*"))
    for dimension, value, n in counted.values_list("dimension", "value", "n"):
        found[dimension][value] = n
    counts = {}
    for name, values in found.items():
        labels = FACETS[name].labels(list(values)) if values else {}
        rows = [(value, labels.get(value, value), n) for value, n in values.items()]
        rows.sort(key=lambda row: (-row[2], row[1].lower()))
        counts[name] = rows
    return counts


def facet_counts(
    names: Iterable[str],
    over: Callable[[str | None], QuerySet],
    *,
    active: Collection[str],
    narrowed: bool,
) -> dict[str, list[Row]]:
    """The counts of each facet in `names`, each under every active filter but its own.

    `over(None)` is what all filters (and q) leave, `over(name)` what all but filter
    `name` leave. Facets whose filter is not `active` are counted together, in one
    statement; the others one each. Unless `narrowed` (q narrows them), counts that no
    filter but their own narrows are cached.
    """
    names = list(dict.fromkeys(names))
    groups: dict[str | None, list[str]] = {}
    for name in names:
        groups.setdefault(name if name in active else None, []).append(name)
    counts: dict[str, list[Row]] = {}
    for without, group in groups.items():

        def count(names: list[str], without=without) -> dict[str, list[Row]]:
            return _count(names, over(without))

        if not narrowed and not set(active) - {without}:
            # The same for every reader: each facet cached on its own, as another
            # reader may ask for a different set of them.
            counts.update(cached_each({name: f"facet:{name}" for name in group}, count))
        else:
            counts.update(count(group))
    return {name: counts[name] for name in names}


def facet_values(name: str, rows: list[Row], selected: list[str]) -> list[FacetValue]:
    """The values of facet `name` to show, largest first, selected ones included."""
    values = [
        FacetValue(str(value), str(label), n, str(value) in selected)
        for value, label, n in rows[:FACET_LIMIT]
    ]
    shown = {v.value for v in values}
    for value, label, n in rows[FACET_LIMIT:]:
        if str(value) in selected:
            values.append(FacetValue(str(value), str(label), n, True))
            shown.add(str(value))
    values.extend(FacetValue(value, value, 0, True) for value in selected if value not in shown)
    return values
