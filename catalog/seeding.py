"""Seeds -> database: the real catalog, loaded idempotently in one transaction.

`load_seeds()` reads `fixtures/taxonomy.yaml`, `fixtures/licenses.yaml` and the records
in `seeds/`, and makes the database say exactly what they say. A second run changes
nothing. Any bad record stops the run with a SeedError that names the file, the record
and the field, and the transaction leaves the database as it was.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from catalog.licenses import (
    fixture_licenses,
    get_or_create_licenses,
    normalized_expression,
    parse_expression,
    sync_fixture_licenses,
)
from catalog.lineage import check_relation
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Component,
    Contribution,
    ContributionRole,
    DatePrecision,
    Language,
    License,
    Modality,
    ModelVariant,
    OpennessComponent,
    Organization,
    Relation,
    Source,
    Tag,
    Task,
)
from catalog.openness import refresh_openness_class
from catalog.search.signals import refreshing_once

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
TAXONOMY_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "taxonomy.yaml"
ARTIFACT_FILES = {
    ArtifactKind.MODEL: "models.yaml",
    ArtifactKind.DATASET: "datasets.yaml",
    ArtifactKind.TOOL: "tools.yaml",
}
ORGANIZATION_KEYS = {
    "slug",
    "name",
    "full_name",
    "kind",
    "country",
    "website",
    "founding_member",
    "description",
    "sources",
    "unverified",
}
ARTIFACT_KEYS = {
    "id",
    "kind",
    "name",
    "summary",
    "description",
    "contributors",
    "released",
    "version",
    "license",
    "license_note",
    "links",
    "tasks",
    "modalities",
    "languages",
    "tags",
    "model",
    "dataset",
    "tool",
    "lineage",
    "openness",
    "sources",
    "evidence",
    "unverified",
    "notes",
}
LINK_FIELDS = {
    "homepage": "homepage_url",
    "repository": "repository_url",
    "huggingface": "huggingface_repo_id",
    "paper": "paper_url",
}


class SeedError(Exception):
    """A seed record that cannot be loaded, with where it is and what is wrong."""

    def __init__(self, file: str, record: str, field: str, message: str):
        self.file, self.record, self.field, self.message = file, record, field, message
        super().__init__(f"{file}, record '{record}', field '{field}': {message}")


@dataclass
class SeedReport:
    """What a load did, per kind of row: created, updated, deleted, left unchanged.

    Link rows (an artifact's tags, licenses, tasks, ...) are counted one by one, so an
    artifact without tags counts nothing, and a first run on an empty database counts
    only creations.
    """

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    # Shared rows (licenses, tags) are counted once per load, however many use them.
    seen_licenses: set = field(default_factory=set)
    seen_tags: set = field(default_factory=set)

    STATES = ("created", "updated", "deleted", "unchanged")

    def count(self, what: str, state: str, number: int = 1) -> None:
        getattr(self, state)[what] += number

    def lines(self) -> list[str]:
        names = sorted(set().union(*(getattr(self, state) for state in self.STATES)))
        return [
            f"{name}: "
            + ", ".join(f"{getattr(self, state)[name]} {state}" for state in self.STATES)
            for name in names
        ]

    @property
    def changed(self) -> bool:
        return any(sum(getattr(self, state).values()) for state in self.STATES[:3])


# Model fields named as the seed files name them, for error messages.
SEED_FIELD_NAMES = {
    **{column: f"links.{name}" for name, column in LINK_FIELDS.items()},
    "released_on": "released",
    "release_precision": "released",
    "license_expression": "license",
    "architecture": "model.architecture",
    "size_value": "dataset.size",
    "size_unit": "dataset.size",
    "formats": "dataset.formats",
    "tool_category": "tool.category",
    "programming_languages": "tool.programming_languages",
}


class _Where:
    """Turns ValidationErrors raised while loading one record into SeedErrors."""

    def __init__(self, file: str, record: str):
        self.file, self.record = file, record

    def error(self, field: str, message: str) -> SeedError:
        return SeedError(self.file, self.record, field, message)

    def __enter__(self) -> _Where:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if isinstance(exc, ValidationError):
            if hasattr(exc, "error_dict"):
                name, errors = next(iter(exc.error_dict.items()))
                raise self.error(
                    SEED_FIELD_NAMES.get(name, name),
                    "; ".join(m for e in errors for m in e.messages),
                ) from None
            raise self.error("-", "; ".join(exc.messages)) from None


def read_yaml(path: Path) -> object:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise SeedError(path.name, "-", "-", f"file not found: {path}") from None
    except yaml.YAMLError as error:
        raise SeedError(path.name, "-", "-", f"not valid YAML: {error}") from None


def _upsert(
    report: SeedReport, model: type[models.Model], lookup: dict, values: dict
) -> models.Model:
    """Create or update one row so it holds `values`; save only when something differs."""
    instance = model.objects.filter(**lookup).first()
    label = model._meta.verbose_name_plural
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        report.count(label, "created")
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.full_clean()
        instance.save()
        report.count(label, "updated")
    else:
        report.count(label, "unchanged")
    return instance


def _sync_children(
    report: SeedReport,
    queryset: models.QuerySet,
    key: Callable[[models.Model], object],
    wanted: dict[object, dict],
    create: Callable[[dict], models.Model],
) -> None:
    """Make the rows of `queryset` match `wanted` (key -> field values)."""
    label = queryset.model._meta.verbose_name_plural
    existing = {key(row): row for row in queryset}
    for stale_key in existing.keys() - wanted.keys():
        existing[stale_key].delete()
        report.count(label, "deleted")
    for row_key, values in wanted.items():
        row = existing.get(row_key)
        if row is None:
            row = create(values)
            row.full_clean()
            row.save()
            report.count(label, "created")
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            row.full_clean()
            row.save()
            report.count(label, "updated")
        else:
            report.count(label, "unchanged")


def _set_m2m(report: SeedReport, manager, objects: list, label: str) -> None:
    """Make the links match `objects`, counting each link row added, removed or kept."""
    current = {o.pk for o in manager.all()}
    wanted = {o.pk for o in objects}
    if current != wanted:
        manager.set(objects)
    report.count(label, "created", len(wanted - current))
    report.count(label, "deleted", len(current - wanted))
    report.count(label, "unchanged", len(wanted & current))


def _licenses(report: SeedReport, keys) -> list:
    """The License rows for `keys`; the registry's ones are created on first use."""
    keys = list(keys)
    existing = set(License.objects.filter(key__in=keys).values_list("key", flat=True))
    for key in keys:
        if key not in report.seen_licenses:
            report.seen_licenses.add(key)
            report.count("licenses", "unchanged" if key in existing else "created")
    return get_or_create_licenses(keys)


def parse_release(value: object, where: _Where) -> tuple[datetime.date | None, str]:
    if value in (None, ""):
        return None, ""
    text = str(value)
    formats = (
        ("%Y-%m-%d", DatePrecision.DAY),
        ("%Y-%m", DatePrecision.MONTH),
        ("%Y", DatePrecision.YEAR),
    )
    for pattern, precision in formats:
        try:
            return datetime.datetime.strptime(text, pattern).date(), precision  # noqa: DTZ007
        except ValueError:
            continue
    raise where.error("released", f"'{text}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")


def _terms(model, slugs: object, where: _Where, field_name: str) -> list:
    slugs = list(slugs or [])
    found = {term.slug: term for term in model.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise where.error(
            field_name,
            f"unknown {field_name}: {', '.join(missing)} (add them to fixtures/taxonomy.yaml)",
        )
    return [found[slug] for slug in slugs]


def load_taxonomy(report: SeedReport, path: Path = TAXONOMY_FIXTURE) -> None:
    data = read_yaml(path) or {}
    for section, model, key in (
        ("tasks", Task, "slug"),
        ("modalities", Modality, "slug"),
        ("languages", Language, "code"),
    ):
        for entry in data.get(section) or []:
            with _Where(path.name, str(entry.get(key))):
                _upsert(report, model, {"slug": entry[key]}, {"name": entry["name"]})


def load_organizations(report: SeedReport, path: Path) -> None:
    records = read_yaml(path) or []
    for record in records:
        slug = str(record.get("slug"))
        with _Where(path.name, slug) as where:
            unknown = set(record) - ORGANIZATION_KEYS
            if unknown:
                raise where.error(sorted(unknown)[0], "unknown field")
            if not isinstance(record.get("country") or "", str):
                # YAML reads a bare NO (Norway) as false: the code must be text.
                raise where.error("country", "give an ISO 3166-1 alpha-2 code as text, quoted")
            kind = (record.get("kind") or "").replace(" ", "_").replace("-", "_")
            _upsert(
                report,
                Organization,
                {"slug": slug},
                {
                    "name": record.get("name") or "",
                    "full_name": record.get("full_name") or "",
                    "kind": kind,
                    "country": record.get("country") or "",
                    "website": record.get("website") or "",
                    "founding_member": bool(record.get("founding_member")),
                    "description": record.get("description") or "",
                    "sources": list(record.get("sources") or []),
                    "unverified": dict(record.get("unverified") or {}),
                },
            )


def load_artifact(report: SeedReport, record: dict, file: str, kind: str, now) -> Artifact:
    artifact_id = str(record.get("id"))
    with _Where(file, artifact_id) as where:
        unknown = set(record) - ARTIFACT_KEYS
        if unknown:
            raise where.error(sorted(unknown)[0], "unknown field")
        _check_shapes(record, where)
        if record.get("kind", kind) != kind:
            raise where.error("kind", f"'{record.get('kind')}' does not belong in {file}")
        namespace, _, slug = artifact_id.partition("/")
        lead = Organization.objects.filter(slug=namespace).first()
        if lead is None:
            raise where.error("id", f"no organization '{namespace}' to lead it")
        contributors = []
        for org_slug in record.get("contributors") or []:
            organization = Organization.objects.filter(slug=org_slug).first()
            if organization is None:
                raise where.error("contributors", f"no organization '{org_slug}'")
            contributors.append(organization)
        released_on, precision = parse_release(record.get("released"), where)
        links = record.get("links") or {}
        for name in set(links) - set(LINK_FIELDS):
            raise where.error(f"links.{name}", "unknown link")
        try:
            expression = normalized_expression(record.get("license") or "")
        except ValidationError as error:
            raise where.error("license", "; ".join(error.messages)) from None
        blocks = {
            "model": ArtifactKind.MODEL,
            "dataset": ArtifactKind.DATASET,
            "tool": ArtifactKind.TOOL,
        }
        for block, block_kind in blocks.items():
            if record.get(block) is not None and kind != block_kind:
                raise where.error(block, f"only a {block_kind} has a '{block}' block")
        model = record.get("model") or {}
        dataset = record.get("dataset") or {}
        tool = record.get("tool") or {}
        size = dataset.get("size") or {}
        values = {
            "kind": kind,
            "name": record.get("name") or "",
            "summary": record.get("summary") or "",
            "description": (record.get("description") or "").strip(),
            "released_on": released_on,
            "release_precision": precision,
            "version": record.get("version") or "",
            "license_expression": expression,
            "license_note": record.get("license_note") or "",
            "architecture": model.get("architecture") or "",
            "size_value": size.get("value"),
            "size_unit": size.get("unit") or "",
            "formats": list(dataset.get("formats") or []),
            "tool_category": tool.get("category") or "",
            "programming_languages": list(tool.get("programming_languages") or []),
            "unverified": dict(record.get("unverified") or {}),
            "notes": record.get("notes") or "",
            **{column: links.get(name) or "" for name, column in LINK_FIELDS.items()},
        }
        if values["size_value"] is not None:
            values["size_value"] = _decimal(values["size_value"])
        existing = Artifact.objects.filter(namespace=namespace, slug=slug).first()
        if existing is None or existing.status != ArtifactStatus.PUBLISHED:
            published = existing or Artifact()
            published.publish_at(now)
            values["status"] = published.status
            values["published_at"] = published.published_at
        artifact = _upsert(report, Artifact, {"namespace": namespace, "slug": slug}, values)

        roles = {lead.pk: ContributionRole.LEAD}
        for organization in contributors:
            if organization.pk in roles:
                raise where.error("contributors", f"'{organization.slug}' is listed twice")
            roles[organization.pk] = ContributionRole.CONTRIBUTOR
        _sync_children(
            report,
            artifact.contributions.all(),
            key=lambda row: row.organization_id,
            wanted={
                org_id: {"organization_id": org_id, "role": role} for org_id, role in roles.items()
            },
            create=lambda v, a=artifact: Contribution(artifact=a, **v),
        )
        # Contributions are created in this order, so a new lead always exists before
        # anyone could see the artifact; the one-lead constraint holds throughout.
        _sync_children(
            report,
            artifact.variants.all(),
            key=lambda row: row.name,
            wanted={
                v["name"]: {
                    "name": v["name"],
                    "parameters": v["parameters"],
                    "active_parameters": v.get("active_parameters"),
                }
                for v in model.get("variants") or []
            },
            create=lambda v, a=artifact: ModelVariant(artifact=a, **v),
        )
        _sync_children(
            report,
            artifact.sources.all(),
            key=lambda row: row.url,
            wanted={
                url: {"url": url, "position": i}
                for i, url in enumerate(record.get("sources") or [])
            },
            create=lambda v, a=artifact: Source(artifact=a, **v),
        )
        keys = parse_expression(expression).keys if expression else ()
        _set_m2m(report, artifact.licenses, _licenses(report, keys), "entry licenses")
        _set_m2m(
            report,
            artifact.tasks,
            _terms(Task, record.get("tasks"), where, "tasks"),
            "entry tasks",
        )
        _set_m2m(
            report,
            artifact.modalities,
            _terms(Modality, record.get("modalities"), where, "modalities"),
            "entry modalities",
        )
        _set_m2m(
            report,
            artifact.languages,
            _terms(Language, record.get("languages"), where, "languages"),
            "entry languages",
        )
        tags = []
        for slug_ in record.get("tags") or []:
            tag = Tag.objects.filter(slug=slug_).first()
            if tag is None:
                tag = Tag(slug=slug_)
                tag.full_clean()
                tag.save()
                report.count("tags", "created")
                report.seen_tags.add(slug_)
            elif slug_ not in report.seen_tags:
                report.count("tags", "unchanged")
                report.seen_tags.add(slug_)
            tags.append(tag)
        _set_m2m(report, artifact.tags, tags, "entry tags")
    return artifact


LIST_FIELDS = (
    "contributors",
    "tasks",
    "modalities",
    "languages",
    "tags",
    "lineage",
    "openness",
    "sources",
)
MAPPING_FIELDS = ("links", "model", "dataset", "tool", "evidence", "unverified")
TEXT_FIELDS = ("name", "summary")


def _check_shapes(record: object, where: _Where) -> None:
    """The record's fields have the shapes the schema gives them (seeds/README.md)."""
    if not isinstance(record, dict):
        raise where.error("-", "a record is a mapping of fields")
    for name in LIST_FIELDS:
        if not isinstance(record.get(name) or [], list):
            raise where.error(name, "must be a list")
    for name in MAPPING_FIELDS:
        if not isinstance(record.get(name) or {}, dict):
            raise where.error(name, "must be a mapping")
    for name in TEXT_FIELDS:
        if not isinstance(record.get(name), str) or not record[name].strip():
            raise where.error(name, "is required text")
    variants = (record.get("model") or {}).get("variants") or []
    if not isinstance(variants, list) or not all(
        isinstance(v, dict)
        and isinstance(v.get("name"), str)
        and isinstance(v.get("parameters"), int)
        for v in variants
    ):
        raise where.error("model.variants", "a list of {name, parameters, active_parameters}")
    size = (record.get("dataset") or {}).get("size")
    if size is not None and not (isinstance(size, dict) and "value" in size and "unit" in size):
        raise where.error("dataset.size", "give {value, unit}")
    for name, value in (record.get("unverified") or {}).items():
        if not isinstance(value, str | int | float):
            raise where.error(f"unverified.{name}", "give the claimed value as text")
    sources = record.get("sources") or []
    for name, url in (record.get("evidence") or {}).items():
        if name.split(".")[0] not in ARTIFACT_KEYS | set(LINK_FIELDS) | {"parameters"}:
            raise where.error(f"evidence.{name}", "names no field of the record")
        if url not in sources:
            raise where.error(f"evidence.{name}", f"'{url}' is not among the record's sources")
        if name in (record.get("unverified") or {}):
            raise where.error(f"evidence.{name}", "a confirmed field cannot also be unverified")


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value)).quantize(Decimal("0.01"))


def load_lineage_and_openness(report: SeedReport, record: dict, file: str) -> None:
    artifact_id = str(record["id"])
    with _Where(file, artifact_id) as where:
        artifact = Artifact.objects.get_by_id(artifact_id)
        wanted = {}
        for index, edge in enumerate(record.get("lineage") or []):
            field_name = f"lineage[{index}]"
            if not isinstance(edge, dict) or not isinstance(edge.get("external") or {}, dict):
                raise where.error(
                    field_name, "give a mapping with 'type' and 'target' or 'external'"
                )
            target = None
            external = edge.get("external") or {}
            if edge.get("target"):
                try:
                    target = Artifact.objects.get_by_id(edge["target"])
                except Artifact.DoesNotExist:
                    raise where.error(field_name, f"no artifact '{edge['target']}'") from None
            elif not external.get("name"):
                raise where.error(field_name, "give a target id or an external work")
            try:
                check_relation(
                    artifact,
                    edge.get("type"),
                    target=target,
                    external_kind=external.get("kind", ""),
                )
            except ValueError:
                raise where.error(field_name, f"unknown type '{edge.get('type')}'") from None
            except ValidationError as error:
                raise where.error(field_name, "; ".join(error.messages)) from None
            key = (edge["type"], target.pk if target else None, external.get("name", ""))
            wanted[key] = {
                "relation_type": edge["type"],
                "target": target,
                "external_name": external.get("name", ""),
                "external_kind": external.get("kind", ""),
                "external_url": external.get("url", ""),
                "note": edge.get("note", ""),
            }
        _sync_children(
            report,
            artifact.relations.all(),
            key=lambda row: (row.relation_type, row.target_id, row.external_name),
            wanted=wanted,
            create=lambda v, a=artifact: Relation(source=a, **v),
        )
        components = {}
        for index, entry in enumerate(record.get("openness") or []):
            field_name = f"openness[{index}]"
            if not isinstance(entry, dict) or entry.get("component") not in Component.values:
                raise where.error(
                    field_name,
                    "give a mapping with 'component' (one of "
                    f"{', '.join(Component.values)}), 'included', 'license' and 'location'",
                )
            try:
                expression = normalized_expression(entry.get("license") or "")
            except ValidationError as error:
                raise where.error(f"{field_name}.license", "; ".join(error.messages)) from None
            components[entry["component"]] = {
                "component": entry["component"],
                "included": entry.get("included", True),
                "license_expression": expression,
                "location": entry.get("location") or "",
            }
        _sync_children(
            report,
            artifact.openness_components.all(),
            key=lambda row: row.component,
            wanted=components,
            create=lambda v, a=artifact: OpennessComponent(artifact=a, **v),
        )
        refresh_openness_class(artifact)


@transaction.atomic
@refreshing_once()  # each entry's search document once, at the end, in the transaction
def load_seeds(seeds_dir: Path = SEEDS_DIR, *, now: datetime.datetime | None = None) -> SeedReport:
    """Load every seed file; all or nothing."""
    now = now or timezone.now()
    report = SeedReport()
    load_taxonomy(report)
    fixture_keys = set(fixture_licenses())
    created, updated = sync_fixture_licenses()
    report.count("licenses", "created", created)
    report.count("licenses", "updated", updated)
    report.count("licenses", "unchanged", len(fixture_keys) - created - updated)
    report.seen_licenses.update(fixture_keys)
    load_organizations(report, seeds_dir / "organizations.yaml")
    records = []
    seen = set()
    for kind, filename in ARTIFACT_FILES.items():
        for record in read_yaml(seeds_dir / filename) or []:
            if str(record.get("id")) in seen:
                raise SeedError(filename, str(record.get("id")), "id", "appears twice in the seeds")
            seen.add(str(record.get("id")))
            records.append((filename, load_artifact(report, record, filename, kind, now), record))
    # Lineage second: a record may point to one that comes after it.
    for filename, _artifact, record in records:
        load_lineage_and_openness(report, record, filename)
    return report
