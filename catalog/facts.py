"""The facts check: do the seed files say only what their sources back?

`check_facts()` reads the seed files (not the database) and returns every problem it
finds, each naming the file, the record and the field, so that a curator can fix them
all in one pass. `manage.py check_facts` wraps it. The rules (seeds/README.md):

- every entry's id appears once across the seed files;
- every record has at least one source, and every confirmed field's `evidence` is one of
  them;
- no unverified value is shown as fact: a field claimed under `unverified` stays empty
  (or holds only the confirmed part), and no published text ends with '?';
- every lineage edge points to something of a kind its type allows;
- every license expression (of an entry or of an openness component) resolves;
- every Hugging Face id has the shape the Hub accepts (`owner/name`, not a URL);
- every member listed as contributing has at least one entry; founding members without
  one are shown as members without listed contributions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from catalog.countries import COUNTRY_NAMES
from catalog.identifiers import HUGGINGFACE_REPO_ID_PATTERN
from catalog.licenses import parse_expression
from catalog.models import ArtifactKind, RelationType
from catalog.models.relations import RELATION_SOURCE_KINDS, RELATION_TARGET_KINDS
from catalog.seeding import ARTIFACT_FILES, SEEDS_DIR, SeedError, read_yaml, schema
from catalog.seeding.report import RecordError

# Where a claim under `unverified` would be published, per seed file.
ARTIFACT_CLAIM_FIELDS = {
    "released": ("released",),
    "license": ("license",),
    "version": ("version",),
    "homepage": ("links", "homepage"),
    "repository": ("links", "repository"),
    "huggingface": ("links", "huggingface"),
    "paper": ("links", "paper"),
    "architecture": ("model", "architecture"),
}
ORGANIZATION_CLAIM_FIELDS = ("full_name", "kind", "country", "website", "description")
ARTIFACT_TEXT_FIELDS = ("name", "summary", "description", "version", "license", "license_note")
HUB_ID = re.compile(HUGGINGFACE_REPO_ID_PATTERN)


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, record '{self.record}', field '{self.field}': {self.message}"


@dataclass
class FactsReport:
    problems: list[Problem] = field(default_factory=list)
    records: Counter = field(default_factory=Counter)
    members_without_contributions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _get(record: dict, path: tuple[str, ...]):
    value = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _empty(value) -> bool:
    return value in (None, "", [], {})


class _Checker:
    def __init__(self, report: FactsReport, file: str, record_id: str):
        self.report, self.file, self.record_id = report, file, record_id

    def problem(self, field_name: str, message: str) -> None:
        self.report.problems.append(Problem(self.file, self.record_id, field_name, message))

    def sources(self, record: dict) -> None:
        sources = record.get("sources") or []
        if not sources:
            self.problem("sources", "no source backs this record")
        for url in sources:
            if not str(url).startswith(("https://", "http://")):
                self.problem("sources", f"'{url}' is not a URL")
        evidence = record.get("evidence") or {}
        for name, url in evidence.items():
            if url not in sources:
                self.problem(f"evidence.{name}", f"'{url}' is not among the record's sources")
        for name in set(evidence) & set(record.get("unverified") or {}):
            self.problem(f"evidence.{name}", "confirmed and unverified at once")

    def unverified(self, record: dict, claim_fields: dict[str, tuple[str, ...]]) -> None:
        for name, claim in (record.get("unverified") or {}).items():
            path = claim_fields.get(name)
            if path is None:
                continue
            published = _get(record, path)
            if _empty(published):
                continue
            where = ".".join(path)
            if name == "released" and str(claim).startswith(f"{published}-"):
                continue  # the confirmed year, with the claimed month kept apart
            if name == "license" and record.get("license_note") and published != claim:
                continue  # the confirmed part, with the note saying what it covers
            self.problem(where, f"unverified claim '{claim}' is shown as fact ('{published}')")

    def no_question_marks(self, record: dict, fields: tuple[str, ...]) -> None:
        for name in fields:
            value = record.get(name)
            if isinstance(value, str) and value.rstrip().endswith("?"):
                self.problem(name, f"'{value}' ends with '?': an unconfirmed value is not a fact")

    def shape(self, fields: tuple[schema.Field, ...], record: dict, kind: str = "") -> None:
        """The record fits the seed schema (the first misfit, as the loader would say)."""
        try:
            schema.check(fields, record, kind)
        except RecordError as error:
            self.problem(error.field, error.message)

    def license(self, expression, field_name: str) -> None:
        if _empty(expression):
            return
        try:
            parse_expression(str(expression))
        except ValidationError as error:
            self.problem(field_name, "; ".join(error.messages))


def _check_artifact(
    checker: _Checker, record: dict, kind: str, kinds_by_id: dict[str, str], orgs: set[str]
) -> None:
    checker.shape(schema.ARTIFACT, record, kind)
    checker.sources(record)
    checker.unverified(record, ARTIFACT_CLAIM_FIELDS)
    checker.no_question_marks(record, ARTIFACT_TEXT_FIELDS)
    checker.license(record.get("license"), "license")
    for index, component in enumerate(record.get("openness") or []):
        if isinstance(component, dict):
            checker.license(component.get("license"), f"openness[{index}].license")
    hub_id = (record.get("links") or {}).get("huggingface")
    if not _empty(hub_id) and (
        not HUB_ID.match(str(hub_id)) or "--" in str(hub_id) or ".." in str(hub_id)
    ):
        checker.problem(
            "links.huggingface",
            f"'{hub_id}' is not a Hugging Face repo id (owner/name, not a URL)",
        )
    lead = str(record.get("id", "")).partition("/")[0]
    for slug in [lead, *(record.get("contributors") or [])]:
        if slug not in orgs:
            checker.problem("contributors", f"no organization '{slug}'")
    for index, edge in enumerate(record.get("lineage") or []):
        _check_edge(checker, f"lineage[{index}]", edge, kind, kinds_by_id)


def _check_edge(
    checker: _Checker, where: str, edge, kind: str, kinds_by_id: dict[str, str]
) -> None:
    if not isinstance(edge, dict):
        checker.problem(where, "give a mapping with 'type' and 'target' or 'external'")
        return
    try:
        relation = RelationType(edge.get("type"))
    except ValueError:
        checker.problem(where, f"unknown type '{edge.get('type')}'")
        return
    if kind not in RELATION_SOURCE_KINDS[relation]:
        checker.problem(where, f"a {kind} cannot be '{relation.label}' something")
    target = edge.get("target")
    external = edge.get("external") or {}
    if target:
        target_kind = kinds_by_id.get(target)
        if target_kind is None:
            checker.problem(where, f"no entry '{target}' in the seeds")
            return
    else:
        target_kind = external.get("kind", "")
        if not external.get("name"):
            checker.problem(where, "give a target id or an external work with a name")
            return
        if target_kind not in ArtifactKind.values:
            checker.problem(where, f"the external work's kind '{target_kind}' is not a kind")
            return
    if target_kind not in RELATION_TARGET_KINDS[relation]:
        allowed = " or ".join(sorted(RELATION_TARGET_KINDS[relation]))
        what = target or external.get("name")
        checker.problem(
            where, f"'{relation.label}' must point to a {allowed}; {what} is a {target_kind}"
        )


def check_facts(seeds_dir: Path = SEEDS_DIR) -> FactsReport:
    """Every problem in the seed files under `seeds_dir` (an empty list when all is well)."""
    report = FactsReport()
    try:
        organizations = read_yaml(seeds_dir / "organizations.yaml") or []
        artifacts = {
            kind: read_yaml(seeds_dir / filename) or [] for kind, filename in ARTIFACT_FILES.items()
        }
    except SeedError as error:
        report.problems.append(Problem(error.file, error.record, error.field, error.message))
        return report
    kinds_by_id = {
        str(record.get("id")): kind for kind, records in artifacts.items() for record in records
    }
    orgs = {str(o.get("slug")) for o in organizations}
    entries = Counter()
    file_of: dict[str, str] = {}
    for kind, records in artifacts.items():
        filename = ARTIFACT_FILES[kind]
        for record in records:
            record_id = str(record.get("id"))
            report.records[filename] += 1
            checker = _Checker(report, filename, record_id)
            if record_id in file_of:
                checker.problem("id", f"appears twice: already an entry in {file_of[record_id]}")
            file_of.setdefault(record_id, filename)
            _check_artifact(checker, record, kind, kinds_by_id, orgs)
            entries.update({record_id.partition("/")[0], *(record.get("contributors") or [])})
    for record in organizations:
        slug = str(record.get("slug"))
        report.records["organizations.yaml"] += 1
        checker = _Checker(report, "organizations.yaml", slug)
        checker.shape(schema.ORGANIZATION, record)
        checker.sources(record)
        checker.unverified(record, {name: (name,) for name in ORGANIZATION_CLAIM_FIELDS})
        checker.no_question_marks(record, ("name", *ORGANIZATION_CLAIM_FIELDS))
        country = record.get("country")
        if not _empty(country) and country not in COUNTRY_NAMES:
            checker.problem("country", f"'{country}' is not an ISO 3166-1 alpha-2 code")
        if not entries[slug]:
            if record.get("founding_member"):
                report.members_without_contributions.append(slug)
            else:
                checker.problem(
                    "founding_member",
                    "a later member is listed for its contributions, but has no entry",
                )
    return report
