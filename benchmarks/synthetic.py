"""A deterministic synthetic catalog for benchmarks: `generate_catalog(n, seed)`.

Names and descriptions are built from a vocabulary whose words, like real text, follow
Zipf's law: a few words are in a quarter of the entries, most in a handful. Tags follow
Zipf too, organizations are many (one per hundred entries, at least sixty) and unequal
in size. The same `n` and `seed` give the same catalog, row for row, in a fresh
database (a second run into the same database is refused).

Rows are written with bulk_create (no signals), then each batch's search documents
(text and card) are written by the catalog's own `refresh_documents`. Synthetic rows
are recognisable by their organizations' slugs ('syn-...').
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from catalog.licenses import get_or_create_licenses, sync_fixture_licenses
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    DatePrecision,
    Language,
    Modality,
    ModelVariant,
    Organization,
    OrganizationKind,
    Tag,
    Task,
)
from catalog.planner import refresh_statistics
from catalog.search import documents as search_documents
from catalog.search.facets import invalidate_facet_cache
from catalog.seeding import SeedReport, load_taxonomy

SLUG_PREFIX = "syn-"
BATCH = 5000
VOCABULARY_SIZE = 6000
TAG_COUNT = 400
_ONSETS = ["b", "br", "c", "ch", "d", "f", "g", "gr", "k", "l", "m", "n", "p", "qu", "r",
           "s", "st", "t", "tr", "v", "z"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
_CODAS = ["", "n", "r", "s", "x", "l", "m", "nd", "st", "th"]
_DOMAIN_WORDS = ["model", "language", "vision", "instruct", "chat", "code", "reasoning",
                 "dataset", "benchmark", "multilingual", "embedding", "retrieval", "safety",
                 "speech", "translation", "medical", "climate", "legal", "finance"]  # fmt: skip
LICENSE_KEYS = ["Apache-2.0", "MIT", "BSD-3-Clause", "CC-BY-4.0", "CC-BY-SA-4.0", "GPL-3.0-only",
                "LicenseRef-scancode-llama-2-license-2023", "CC-BY-NC-4.0"]  # fmt: skip
ORG_SUFFIXES = ("labs", "AI", "university", "institute")
LICENSE_WEIGHTS = [40, 20, 8, 10, 4, 3, 10, 5]


@dataclass(frozen=True)
class Vocabulary:
    """Words by frequency rank: words[0] is the most common."""

    words: list[str]
    weights: list[float]

    @classmethod
    def build(cls, rng: random.Random, size: int, exponent: float = 1.1) -> Vocabulary:
        words: list[str] = list(_DOMAIN_WORDS)
        seen = set(words)
        while len(words) < size:
            word = "".join(
                rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
                for _ in range(rng.choice((2, 2, 3)))
            )
            if word not in seen and len(word) >= 4:
                seen.add(word)
                words.append(word)
        return cls(words, [1 / (rank**exponent) for rank in range(1, size + 1)])

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self._cumulative, k=k)

    @property
    def _cumulative(self) -> list[float]:
        cumulative = self.__dict__.get("_cum")
        if cumulative is None:
            total, cumulative = 0.0, []
            for weight in self.weights:
                total += weight
                cumulative.append(total)
            object.__setattr__(self, "_cum", cumulative)
        return cumulative


def vocabulary(seed: int) -> Vocabulary:
    """The vocabulary a catalog of this seed is written in (benchmarks pick words from it)."""
    return Vocabulary.build(random.Random(f"vocabulary-{seed}"), VOCABULARY_SIZE)


class SyntheticCatalogExists(Exception):
    """Synthetic rows are already there; generate into a fresh database instead."""


@transaction.atomic
def generate_catalog(n: int, seed: int = 1, progress: Callable[[int], None] | None = None) -> int:
    """Write `n` synthetic artifacts (and their organizations); return how many.
    `progress(k)` is told of each batch of k written."""
    rng = random.Random(seed)
    words = vocabulary(seed)
    if Organization.objects.filter(slug__startswith=SLUG_PREFIX).exists():
        raise SyntheticCatalogExists(
            "This database already holds a synthetic catalog (organizations 'syn-…'); "
            "generate into a fresh database."
        )
    load_taxonomy(SeedReport())
    sync_fixture_licenses()
    licenses = get_or_create_licenses(LICENSE_KEYS)
    tasks, modalities = list(Task.objects.order_by("slug")), list(Modality.objects.order_by("slug"))
    languages = list(Language.objects.order_by("slug"))
    tag_words = Vocabulary.build(random.Random(f"tags-{seed}"), TAG_COUNT, exponent=1.0)
    existing_tags = {t.slug: t for t in Tag.objects.filter(slug__in=tag_words.words)}
    Tag.objects.bulk_create(
        [Tag(slug=w) for w in tag_words.words if w not in existing_tags], batch_size=BATCH
    )
    tags = {t.slug: t for t in Tag.objects.filter(slug__in=tag_words.words)}

    kinds = list(OrganizationKind.values)
    org_count = max(60, n // 100)
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                slug=f"{SLUG_PREFIX}{i}",
                name=" ".join(words.sample(rng, 2)).title()
                + f" {('Labs', 'AI', 'University', 'Institute')[i % 4]}",
                kind=kinds[i % len(kinds)],
                country=rng.choice(["US", "DE", "FR", "JP", "IN", "CH", "CA", "GB"]),
            )
            for i in range(org_count)
        ],
        batch_size=BATCH,
    )
    # Organization sizes are skewed too: a few publish most entries.
    org_weights = [1 / (rank**0.8) for rank in range(1, org_count + 1)]
    start = datetime.date(2018, 1, 1)
    created = 0
    for batch_start in range(0, n, BATCH):
        batch = range(batch_start, min(n, batch_start + BATCH))
        rows, leads = [], []
        for i in batch:
            kind = rng.choices(ArtifactKind.values, weights=[6, 2, 2])[0]
            lead = rng.choices(organizations, weights=org_weights)[0]
            title = " ".join(words.sample(rng, rng.choice((1, 2, 2, 3)))).title()
            name = f"{title} {rng.choice(['', '2', '3', 'v1', 'v2', 'Instruct', 'Base'])}".strip()
            released = start + datetime.timedelta(days=rng.randrange(0, 2900))
            has_date = rng.random() < 0.9
            status = ArtifactStatus.PUBLISHED if rng.random() < 0.95 else ArtifactStatus.DRAFT
            rows.append(
                Artifact(
                    namespace=lead.slug,
                    slug=f"a{i}",
                    kind=kind,
                    name=name,
                    summary=f"A {kind} for "
                    + " ".join(words.sample(rng, rng.randint(6, 14)))
                    + ".",
                    description=" ".join(words.sample(rng, rng.randint(30, 90))),
                    status=status,
                    published_at=(
                        datetime.datetime.combine(released, datetime.time(), datetime.UTC)
                        if status == ArtifactStatus.PUBLISHED
                        else None
                    ),
                    released_on=released if has_date else None,
                    release_precision=DatePrecision.MONTH if has_date else "",
                    huggingface_repo_id=f"{lead.slug}/a{i}" if rng.random() < 0.4 else "",
                    openness_class=(
                        rng.choice(["", "", "III", "II", "I"]) if kind == ArtifactKind.MODEL else ""
                    ),
                )
            )
            leads.append(lead)
        artifacts = Artifact.objects.bulk_create(rows, batch_size=BATCH)
        Through = Artifact
        contributions, variants = [], []
        links = {name: [] for name in ("licenses", "tasks", "modalities", "languages", "tags")}
        for artifact, lead in zip(artifacts, leads, strict=True):
            contributions.append(
                Contribution(artifact=artifact, organization=lead, role=ContributionRole.LEAD)
            )
            if rng.random() < 0.2:
                other = rng.choice(organizations)
                if other != lead:
                    contributions.append(
                        Contribution(
                            artifact=artifact, organization=other, role=ContributionRole.CONTRIBUTOR
                        )
                    )
            if artifact.kind == ArtifactKind.MODEL:
                for size in sorted(rng.sample([1, 3, 7, 8, 13, 34, 70, 180], rng.randint(1, 3))):
                    variants.append(
                        ModelVariant(artifact=artifact, name=f"{size}B", parameters=size * 10**9)
                    )
            license_ = rng.choices(licenses, weights=LICENSE_WEIGHTS)[0]
            artifact.license_expression = license_.key
            links["licenses"].append(Through.licenses.through(artifact=artifact, license=license_))
            chosen = rng.sample(tasks[:12], 1) + rng.sample(tasks, rng.randint(0, 1))
            for task in sorted(set(chosen), key=lambda t: t.slug):
                links["tasks"].append(Through.tasks.through(artifact=artifact, task=task))
            modality = rng.choice(modalities[:6])
            links["modalities"].append(
                Through.modalities.through(artifact=artifact, modality=modality)
            )
            links["languages"].append(
                Through.languages.through(artifact=artifact, language=rng.choice(languages[:10]))
            )
            chosen_tags = sorted(set(tag_words.sample(rng, rng.randint(1, 5))))
            for slug in chosen_tags:
                links["tags"].append(Through.tags.through(artifact=artifact, tag=tags[slug]))
        Artifact.objects.bulk_update(artifacts, ["license_expression"], batch_size=BATCH)
        Contribution.objects.bulk_create(contributions, batch_size=BATCH)
        ModelVariant.objects.bulk_create(variants, batch_size=BATCH)
        for name, objects in links.items():
            getattr(Artifact, name).through.objects.bulk_create(objects, batch_size=BATCH)
        search_documents.refresh_documents([artifact.pk for artifact in artifacts])
        created += len(artifacts)
        if progress:
            progress(len(artifacts))
    invalidate_facet_cache()
    refresh_statistics()
    return created
