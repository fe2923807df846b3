"""Facet counts: for each value of a facet, how many entries match all the *other* filters.

Counting under the other filters (not the facet's own) lets a reader pick several values
of one facet. Each facet is one GROUP BY query over the matching entries, capped at
FACET_LIMIT values (largest first); values the reader selected are always listed.

Counts that depend on no filter at all (the facet's own filter may be set) are the same
for every reader, so they are cached (Django's cache: Redis in production) until the
catalog changes; every write that changes what they count calls `invalidate_facet_cache`,
and a TTL bounds what a write that bypasses signals (QuerySet.update) can leave stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, QuerySet
from django.dispatch import Signal

from catalog.models import (
    Artifact,
    ArtifactKind,
    Contribution,
    LicenseCategory,
    OpennessClass,
)
from catalog.replicas import shareable
from catalog.search.filters import commercial_use_condition

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


def _field_counts(field: str, labels: dict[str, str]) -> Callable:
    def count(artifacts: QuerySet) -> list[tuple[str, str, int]]:
        rows = (
            artifacts.exclude(**{field: ""})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
        )
        return [(value, labels.get(value, value), n) for value, n in rows]

    return count


def _through_counts(relation: str, value_field: str, label_field: str) -> Callable:
    def count(artifacts: QuerySet) -> list[tuple[str, str, int]]:
        through = getattr(Artifact, relation).through
        target = relation.removesuffix("s").replace("modalitie", "modality")
        rows = (
            through.objects.filter(artifact_id__in=artifacts.values("pk"))
            .order_by()
            .values(f"{target}__{value_field}", f"{target}__{label_field}")
            .annotate(n=Count("artifact_id"))
            .values_list(f"{target}__{value_field}", f"{target}__{label_field}", "n")
        )
        return list(rows)

    return count


def _organization_counts(artifacts: QuerySet) -> list[tuple[str, str, int]]:
    rows = (
        Contribution.objects.filter(artifact_id__in=artifacts.values("pk"))
        .order_by()
        .values("organization__slug", "organization__name")
        .annotate(n=Count("artifact_id"))
        .values_list("organization__slug", "organization__name", "n")
    )
    return list(rows)


def _license_category_counts(artifacts: QuerySet) -> list[tuple[str, str, int]]:
    # An entry under 'MIT OR Apache-2.0' counts once for Permissive.
    rows = (
        Artifact.licenses.through.objects.filter(artifact_id__in=artifacts.values("pk"))
        .order_by()
        .values("license__category")
        .annotate(n=Count("artifact_id", distinct=True))
        .values_list("license__category", "n")
    )
    labels = dict(LicenseCategory.choices)
    return [(value, labels.get(value, value), n) for value, n in rows]


def _commercial_use_counts(artifacts: QuerySet) -> list[tuple[str, str, int]]:
    labels = {"true": "Commercial use allowed", "false": "No commercial use"}
    counts = [
        (answer, label, artifacts.filter(commercial_use_condition(answer)).count())
        for answer, label in labels.items()
    ]
    return [row for row in counts if row[2]]


# Facet name -> counting function; the name is also the filter it counts.
FACETS: dict[str, Callable[[QuerySet], list[tuple[str, str, int]]]] = {
    "kind": _field_counts("kind", dict(ArtifactKind.choices)),
    "organization": _organization_counts,
    "license": _through_counts("licenses", "key", "name"),
    "license_category": _license_category_counts,
    "commercial_use": _commercial_use_counts,
    "openness_class": _field_counts("openness_class", dict(OpennessClass.choices)),
    "task": _through_counts("tasks", "slug", "name"),
    "modality": _through_counts("modalities", "slug", "name"),
    "language": _through_counts("languages", "slug", "name"),
    "tag": _through_counts("tags", "slug", "slug"),  # a free tag is its own label
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


def cached(key: str, compute: Callable[[], object]) -> object:
    """`compute()`, cached under `key` until the catalog next changes.

    Counted on a read replica just after a change, they may predate it: they are then
    used but not kept, so nobody is shown counts older than their own change.
    """
    generation = _generation()
    full_key = f"catalog:search:{generation}:{key}"
    value = cache.get(full_key)
    looked_up.send(cached, hit=value is not None)
    if value is None:
        value = compute()
        if shareable(generation / 1e9, now=time.time()):
            cache.set(full_key, value, CACHE_SECONDS)
    return value


def facet_values(
    name: str, artifacts: QuerySet, selected: list[str], *, cache_key: str | None = None
) -> list[FacetValue]:
    """The values of facet `name` over `artifacts`, largest first, selected ones included."""

    def compute() -> list[tuple[str, str, int]]:
        rows = FACETS[name](artifacts)
        rows.sort(key=lambda row: (-row[2], str(row[1]).lower()))
        return rows

    rows = cached(cache_key, compute) if cache_key else compute()
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
