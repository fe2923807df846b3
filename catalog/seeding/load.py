"""The load itself: read the files, check each record, write what differs, in order.

Taxonomy and licenses first, then organizations, then every entry with its own rows,
then lineage and openness (an edge may point to an entry that comes later in the files).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.licenses import fixture_licenses, parse_expression, sync_fixture_licenses
from catalog.lineage import check_relation
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    Language,
    Modality,
    ModelVariant,
    OpennessComponent,
    Organization,
    Relation,
    Source,
    Task,
)
from catalog.openness import refresh_openness_class
from catalog.planner import refresh_statistics
from catalog.search.signals import refreshing_once
from catalog.seeding import records, rows, schema
from catalog.seeding.report import RecordError, SeedError, SeedReport

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
TAXONOMY_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "taxonomy.yaml"
ARTIFACT_FILES = {
    ArtifactKind.MODEL: "models.yaml",
    ArtifactKind.DATASET: "datasets.yaml",
    ArtifactKind.TOOL: "tools.yaml",
}


@contextmanager
def reporting(file: str, record: str) -> Iterator[None]:
    """Turn what goes wrong with one record into a SeedError naming the file, the record
    and the field as the seed file spells it."""
    try:
        yield
    except RecordError as error:
        raise SeedError(file, record, error.field, error.message) from None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            name, errors = next(iter(error.error_dict.items()))
            message = "; ".join(m for e in errors for m in e.messages)
            raise SeedError(file, record, schema.seed_name(name), message) from None
        raise SeedError(file, record, "-", "; ".join(error.messages)) from None


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise SeedError(path.name, "-", "-", f"file not found: {path}") from None
    except yaml.YAMLError as error:
        raise SeedError(path.name, "-", "-", f"not valid YAML: {error}") from None


def load_taxonomy(report: SeedReport, path: Path = TAXONOMY_FIXTURE) -> None:
    data = read_yaml(path) or {}
    for section, model, key in (
        ("tasks", Task, "slug"),
        ("modalities", Modality, "slug"),
        ("languages", Language, "code"),
    ):
        for entry in data.get(section) or []:
            with reporting(path.name, str(entry.get(key))):
                rows.upsert(report, model, {"slug": entry[key]}, {"name": entry["name"]})


def load_organizations(report: SeedReport, path: Path) -> None:
    for record in read_yaml(path) or []:
        slug = str(record.get("slug")) if isinstance(record, dict) else "-"
        with reporting(path.name, slug):
            schema.check(schema.ORGANIZATION, record)
            values = records.organization_values(record)
            rows.upsert(report, Organization, {"slug": slug}, values)


def _terms(model, slugs: list[str], field: str) -> list:
    found = model.objects.in_bulk(slugs, field_name="slug")
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise RecordError(
            field, f"unknown {field}: {', '.join(missing)} (add them to fixtures/taxonomy.yaml)"
        )
    return [found[slug] for slug in slugs]


def _contributions(record: dict) -> dict[int, dict]:
    """Organization id -> the contribution's values, the lead (the id's namespace) first."""
    slugs = records.contributor_slugs(record)
    found = Organization.objects.in_bulk(slugs, field_name="slug")
    wanted = {}
    for position, slug in enumerate(slugs):
        if slug not in found:
            field, message = ("id", "to lead it") if position == 0 else ("contributors", "")
            raise RecordError(field, f"no organization '{slug}' {message}".strip())
        role = ContributionRole.LEAD if position == 0 else ContributionRole.CONTRIBUTOR
        wanted[found[slug].pk] = {"organization_id": found[slug].pk, "role": role}
    return wanted


def load_entry(report: SeedReport, record: dict, kind: str, now: datetime.datetime) -> Artifact:
    """One model, dataset or tool and its own rows (not its lineage or openness)."""
    namespace, slug = records.artifact_key(record)
    values = records.artifact_values(record, kind)
    contributions = _contributions(record)
    row = Artifact.objects.filter(namespace=namespace, slug=slug).first()
    if row is None or row.status != ArtifactStatus.PUBLISHED:
        stamped = row or Artifact()
        stamped.publish_at(now)  # keeps the date of a first publication
        values.update(status=stamped.status, published_at=stamped.published_at)
    artifact = rows.save_changes(
        report, row, values, lambda: Artifact(namespace=namespace, slug=slug)
    )

    def children(queryset, key, wanted, model) -> None:
        rows.sync_children(report, queryset, key, wanted, lambda: model(artifact=artifact))

    # In this order a new entry's lead exists before any other contributor.
    children(artifact.contributions.all(), lambda c: c.organization_id, contributions, Contribution)
    children(artifact.variants.all(), lambda v: v.name, records.variant_rows(record), ModelVariant)
    children(artifact.sources.all(), lambda s: s.url, records.source_rows(record), Source)

    expression = values["license_expression"]
    keys = parse_expression(expression).keys if expression else ()
    links = (
        (artifact.licenses, rows.licenses(report, keys), "entry licenses"),
        (artifact.tasks, _terms(Task, record.get("tasks") or [], "tasks"), "entry tasks"),
        (
            artifact.modalities,
            _terms(Modality, record.get("modalities") or [], "modalities"),
            "entry modalities",
        ),
        (
            artifact.languages,
            _terms(Language, record.get("languages") or [], "languages"),
            "entry languages",
        ),
        (artifact.tags, rows.tags(report, record.get("tags") or []), "entry tags"),
    )
    for manager, objects, label in links:
        rows.set_links(report, manager, objects, label)
    return artifact


def _relation_values(artifact: Artifact, field: str, edge: dict) -> dict:
    """One lineage edge, its target found and its kinds checked against its type."""
    target = None
    external = edge.get("external") or {}
    if edge.get("target"):
        try:
            target = Artifact.objects.get_by_id(edge["target"])
        except Artifact.DoesNotExist:
            raise RecordError(field, f"no artifact '{edge['target']}'") from None
    try:
        check_relation(
            artifact, edge["type"], target=target, external_kind=external.get("kind", "")
        )
    except ValueError:
        raise RecordError(field, f"unknown type '{edge['type']}'") from None
    except ValidationError as error:
        raise RecordError(field, "; ".join(error.messages)) from None
    return {
        "relation_type": edge["type"],
        "target": target,
        "external_name": external.get("name", ""),
        "external_kind": external.get("kind", ""),
        "external_url": external.get("url", ""),
        "note": edge.get("note", ""),
    }


def load_lineage_and_openness(report: SeedReport, artifact: Artifact, record: dict) -> None:
    relations = {}
    for field, edge in records.lineage_edges(record):
        values = _relation_values(artifact, field, edge)
        key = (values["relation_type"], values["target"] and values["target"].pk)
        relations[(*key, values["external_name"])] = values
    rows.sync_children(
        report,
        artifact.relations.all(),
        lambda r: (r.relation_type, r.target_id, r.external_name),
        relations,
        lambda: Relation(source=artifact),
    )
    rows.sync_children(
        report,
        artifact.openness_components.all(),
        lambda c: c.component,
        records.openness_rows(record),
        lambda: OpennessComponent(artifact=artifact),
    )
    refresh_openness_class(artifact)


def load_licenses(report: SeedReport) -> None:
    """The licenses fixtures/licenses.yaml defines; counted once, as shared rows are."""
    keys = set(fixture_licenses())
    created, updated = sync_fixture_licenses()
    report.count("licenses", "created", created)
    report.count("licenses", "updated", updated)
    report.count("licenses", "unchanged", len(keys) - created - updated)
    report.seen.update(("licenses", key) for key in keys)


@transaction.atomic
def load_seeds(seeds_dir: Path = SEEDS_DIR, *, now: datetime.datetime | None = None) -> SeedReport:
    """Load every seed file; all or nothing."""
    with refreshing_once():  # each entry's search document once, at the end
        report = _load(seeds_dir, now or timezone.now())
    refresh_statistics()  # of the rows and the documents written
    return report


def _load(seeds_dir: Path, now: datetime.datetime) -> SeedReport:
    report = SeedReport()
    load_taxonomy(report)
    load_licenses(report)
    load_organizations(report, seeds_dir / "organizations.yaml")
    loaded = {}  # id -> (file, artifact, record)
    for kind, filename in ARTIFACT_FILES.items():
        for record in read_yaml(seeds_dir / filename) or []:
            record_id = str(record.get("id")) if isinstance(record, dict) else "-"
            with reporting(filename, record_id):
                if record_id in loaded:
                    raise RecordError("id", "appears twice in the seeds")
                schema.check(schema.ARTIFACT, record, kind)
                loaded[record_id] = (filename, load_entry(report, record, kind, now), record)
    for record_id, (filename, artifact, record) in loaded.items():
        with reporting(filename, record_id):
            load_lineage_and_openness(report, artifact, record)
    return report
