"""The whole catalog as JSON Lines, out and back in (`export_catalog`, `import_catalog`).

One record a line, each with a `type`, in an order that lets an import resolve every
reference it meets: licenses, taxonomy terms, organizations, (users and memberships),
entries (with their contributions, variants, sources and openness components), then
relations. Records name each other by natural keys (license keys, term slugs,
organization slugs, `<namespace>/<slug>` entry ids, usernames), never by database ids,
so a file moves between databases and engines.

An export reads in chunks and writes as it goes; an import reads a line at a time. An
import runs in one transaction: a bad line stops it with the line's number and the
problem, and nothing is written. It saves only what differs, so importing the same file
twice changes nothing the second time, and it reports, per type, what it created,
updated, deleted (children and relations no longer in the file) and left unchanged.

Accounts exported with memberships carry no password: imported accounts get an unusable
one and set theirs through a password reset.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from catalog.lineage import check_relation
from catalog.models import (
    Artifact,
    Contribution,
    Language,
    License,
    Membership,
    Modality,
    ModelVariant,
    OpennessComponent,
    Organization,
    Relation,
    Source,
    Tag,
    Task,
)
from catalog.planner import refresh_statistics
from catalog.search.signals import refreshing_once

FORMAT = "alliance-catalog"
FORMAT_VERSION = 1
CHUNK = 500

LICENSE_FIELDS = (
    "name",
    "url",
    "category",
    "in_registry",
    "commercial_use",
    "share_alike",
    "attribution",
    "use_restrictions",
)
ORGANIZATION_FIELDS = (
    "name",
    "full_name",
    "kind",
    "country",
    "website",
    "founding_member",
    "description",
    "sources",
    "unverified",
    "created_at",
    "updated_at",
)
USER_FIELDS = ("email", "first_name", "last_name", "is_active", "is_staff", "is_superuser")
ENTRY_FIELDS = (
    "kind",
    "name",
    "summary",
    "description",
    "status",
    "review_note",
    "withdrawn_reason",
    "released_on",
    "release_precision",
    "version",
    "homepage_url",
    "repository_url",
    "huggingface_repo_id",
    "paper_url",
    "license_expression",
    "license_note",
    "architecture",
    "size_value",
    "size_unit",
    "formats",
    "tool_category",
    "programming_languages",
    "unverified",
    "notes",
)
# Kept as written: the save machinery would otherwise stamp them with the import's time
# or recompute them.
ENTRY_STAMPS = ("openness_class", "edit_count", "created_at", "updated_at", "published_at")
VARIANT_FIELDS = ("parameters", "active_parameters")
COMPONENT_FIELDS = ("included", "license_expression", "unlicensed", "location")
RELATION_FIELDS = ("external_kind", "external_url", "note")
TERMS = {"task": Task, "modality": Modality, "language": Language}
ENTRY_TERMS = {"tasks": Task, "modalities": Modality, "languages": Language, "tags": Tag}
TYPES = ("catalog", "license", *TERMS, "tag", "organization", "user", "membership", "entry")
TYPES = (*TYPES, "relation", "history")
# The revision history an export carries with --with-history: the records the admin's
# History pages show for organizations and entries that exist.
HISTORIES = {
    "organization": (Organization, ("slug", *ORGANIZATION_FIELDS)),
    "entry": (Artifact, ("namespace", "slug", *ENTRY_FIELDS, *ENTRY_STAMPS)),
}


# ------------------------------------------------------------------------------
# Values: JSON on the way out, the field's Python value on the way in.
# ------------------------------------------------------------------------------


def _out(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _values(instance: models.Model, names: Iterable[str]) -> dict:
    return {name: _out(getattr(instance, name)) for name in names}


# ------------------------------------------------------------------------------
# Export
# ------------------------------------------------------------------------------


def _entry_record(entry: Artifact) -> dict:
    record = {"type": "entry", "id": f"{entry.namespace}/{entry.slug}"}
    record.update(_values(entry, ENTRY_FIELDS))
    record.update(_values(entry, ENTRY_STAMPS))
    record["licenses"] = sorted(lic.key for lic in entry.licenses.all())
    for name in ENTRY_TERMS:
        record[name] = sorted(term.slug for term in getattr(entry, name).all())
    record["contributions"] = sorted(
        ({"organization": c.organization.slug, "role": c.role} for c in entry.contributions.all()),
        key=lambda c: c["organization"],
    )
    record["variants"] = sorted(
        ({"name": v.name, **_values(v, VARIANT_FIELDS)} for v in entry.variants.all()),
        key=lambda v: v["name"],
    )
    record["sources"] = sorted(
        ({"url": s.url, "position": s.position} for s in entry.sources.all()),
        key=lambda s: (s["position"], s["url"]),
    )
    record["openness_components"] = sorted(
        (
            {"component": c.component, **_values(c, COMPONENT_FIELDS)}
            for c in entry.openness_components.all()
        ),
        key=lambda c: c["component"],
    )
    return record


def _relation_record(relation: Relation) -> dict:
    source = relation.source
    target = relation.target
    return {
        "type": "relation",
        "source": f"{source.namespace}/{source.slug}",
        "relation_type": relation.relation_type,
        "target": f"{target.namespace}/{target.slug}" if target else None,
        "external_name": relation.external_name,
        **_values(relation, RELATION_FIELDS),
    }


def _history_users() -> models.Q:
    users = models.Q(pk__in=[])
    for model, _ in HISTORIES.values():
        authors = model.history.filter(history_user__isnull=False).values("history_user")
        users |= models.Q(pk__in=authors)
    return users


def _exported_users(memberships: bool, history: bool) -> models.QuerySet:
    chosen = models.Q(pk__in=[])
    if memberships:
        chosen |= models.Q(memberships__isnull=False)
    if history:
        chosen |= _history_users()
    return User.objects.filter(chosen).distinct()


def _history_records(type_name: str) -> Iterator[dict]:
    model, names = HISTORIES[type_name]
    live = model.objects.filter(pk=models.OuterRef("id"))
    rows = model.history.filter(id__in=model.objects.values("pk")).select_related("history_user")
    if model is Artifact:
        rows = rows.annotate(
            live_namespace=models.Subquery(live.values("namespace")),
            live_slug=models.Subquery(live.values("slug")),
        ).order_by("live_namespace", "live_slug", "history_date", "history_type")
    else:
        rows = rows.annotate(live_slug=models.Subquery(live.values("slug")))
        rows = rows.order_by("live_slug", "history_date", "history_type")
    for row in rows.iterator(CHUNK):
        natural = f"{row.live_namespace}/{row.live_slug}" if model is Artifact else row.live_slug
        yield {
            "type": "history",
            "of": type_name,
            "id": natural,
            "history_date": _out(row.history_date),
            "history_type": row.history_type,
            "history_user": row.history_user.username if row.history_user else None,
            "history_change_reason": row.history_change_reason,
            "fields": _values(row, names),
        }


def export_records(*, memberships: bool = False, history: bool = False) -> Iterator[dict]:
    """Every record of the catalog, in import order; reads `CHUNK` rows at a time."""
    header = {"type": "catalog", "format": FORMAT, "version": FORMAT_VERSION}
    if history:
        header["history"] = True
    yield header
    for lic in License.objects.order_by("key").iterator(CHUNK):
        yield {"type": "license", "key": lic.key, **_values(lic, LICENSE_FIELDS)}
    for type_name, model in TERMS.items():
        for term in model.objects.order_by("slug").iterator(CHUNK):
            yield {"type": type_name, "slug": term.slug, "name": term.name}
    for tag in Tag.objects.order_by("slug").iterator(CHUNK):
        yield {"type": "tag", "slug": tag.slug}
    for org in Organization.objects.order_by("slug").iterator(CHUNK):
        yield {"type": "organization", "slug": org.slug, **_values(org, ORGANIZATION_FIELDS)}
    users = _exported_users(memberships, history).order_by("username")
    if memberships or history:
        for user in users.prefetch_related("groups").iterator(CHUNK):
            yield {
                "type": "user",
                "username": user.username,
                **_values(user, USER_FIELDS),
                "groups": sorted(g.name for g in user.groups.all()),
            }
    if memberships:
        rows = Membership.objects.select_related("user", "organization")
        for membership in rows.order_by("organization__slug", "user__username").iterator(CHUNK):
            yield {
                "type": "membership",
                "organization": membership.organization.slug,
                "user": membership.user.username,
                "role": membership.role,
                "created_at": _out(membership.created_at),
            }
    entries = Artifact.objects.order_by("namespace", "slug").prefetch_related(
        "licenses",
        *ENTRY_TERMS,
        models.Prefetch(
            "contributions", queryset=Contribution.objects.select_related("organization")
        ),
        "variants",
        "sources",
        "openness_components",
    )
    for entry in entries.iterator(CHUNK):
        yield _entry_record(entry)
    # External targets (no target entry) first on every engine.
    relations = Relation.objects.select_related("source", "target").order_by(
        "source__namespace",
        "source__slug",
        "relation_type",
        models.F("target__namespace").asc(nulls_first=True),
        models.F("target__slug").asc(nulls_first=True),
        "external_name",
    )
    for relation in relations.iterator(CHUNK):
        yield _relation_record(relation)
    if history:
        for type_name in HISTORIES:
            yield from _history_records(type_name)


def count_records(*, memberships: bool = False, history: bool = False) -> int:
    """How many records an export writes (for the progress line)."""
    total = 1 + License.objects.count() + Tag.objects.count() + Organization.objects.count()
    total += sum(model.objects.count() for model in TERMS.values())
    total += Artifact.objects.count() + Relation.objects.count()
    if memberships:
        total += Membership.objects.count()
    if memberships or history:
        total += _exported_users(memberships, history).count()
    if history:
        for model, _ in HISTORIES.values():
            total += model.history.filter(id__in=model.objects.values("pk")).count()
    return total


def export_catalog(
    out: IO[str],
    *,
    memberships: bool = False,
    history: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Counter:
    """Write the catalog to `out`, one JSON record a line; returns the count per type."""
    written: Counter = Counter()
    for record in export_records(memberships=memberships, history=history):
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written[record["type"]] += 1
        if progress:
            progress(1)
    return written


# ------------------------------------------------------------------------------
# Import
# ------------------------------------------------------------------------------


class ImportError_(Exception):
    """A line of the file that cannot be imported; nothing was written."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class _Problem(Exception):
    pass


@dataclass
class ImportReport:
    """Per type: rows created, updated, deleted and left unchanged."""

    counts: dict[str, Counter] = field(default_factory=dict)

    STATES = ("created", "updated", "deleted", "unchanged")

    def count(self, what: str, state: str, number: int = 1) -> None:
        if number:
            self.counts.setdefault(what, Counter())[state] += number

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] or c["deleted"] for c in self.counts.values())

    def lines(self) -> list[str]:
        lines = []
        for what in sorted(self.counts):
            counts = self.counts[what]
            parts = [f"{counts[state]} {state}" for state in self.STATES if counts[state]]
            lines.append(f"{what}: {', '.join(parts)}")
        return lines


def _require(record: dict, names: Iterable[str]) -> None:
    missing = [name for name in names if name not in record]
    if missing:
        what = f"{record['type']} record" if "type" in record else "item"
        raise _Problem(f"{what} lacks {', '.join(missing)}")


def _python(model: type[models.Model], record: dict, names: Iterable[str]) -> dict:
    """The record's values for `names` as the model's fields hold them."""
    _require(record, names)
    values = {}
    for name in names:
        model_field = model._meta.get_field(name)
        try:
            values[name] = model_field.to_python(record[name])
        except ValidationError as error:
            raise _Problem(f"{name}: {' '.join(error.messages)}") from None
    return values


def _validate(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
        if isinstance(instance, Relation):
            check_relation(  # the edge's cycle check needs the whole graph
                instance.source,
                instance.relation_type,
                target=instance.target if instance.target_id else None,
                external_kind=instance.external_kind,
            )
    except ValidationError as error:
        problems = [
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        ]
        raise _Problem("; ".join(problems)) from None


class _Importer:
    def __init__(self, report: ImportReport):
        self.report = report
        self.licenses: dict[str, License] = {}
        self.terms: dict[type, dict[str, models.Model]] = {
            model: {} for model in ENTRY_TERMS.values()
        }
        self.organizations: dict[str, Organization] = {}
        self.entry_ids: dict[str, int] = {}
        self.relations_seen: set[tuple] = set()
        self.header_seen = False
        self.with_history = False
        self.started = timezone.now()
        self.history_kept: dict[type, set[int]] = {model: set() for model, _ in HISTORIES.values()}

    # -- helpers --------------------------------------------------------------

    def _upsert(self, label: str, model, lookup: dict, values: dict, exclude=()) -> models.Model:
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            _validate(instance, exclude)
            instance.save()
            self.report.count(label, "created")
            return instance
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if changed:
            for name in changed:
                setattr(instance, name, values[name])
            _validate(instance, exclude)
            instance.save()
            self.report.count(label, "updated")
        else:
            self.report.count(label, "unchanged")
        return instance

    def _stamp(self, instance: models.Model, stamps: dict) -> None:
        """Write fields that saving would overwrite (auto_now, computed) as the file has
        them, with an UPDATE that no save machinery touches."""
        type(instance).objects.filter(pk=instance.pk).update(**stamps)
        for name, value in stamps.items():
            setattr(instance, name, value)

    def _stamps_differ(self, instance: models.Model, stamps: dict) -> bool:
        return any(getattr(instance, name) != value for name, value in stamps.items())

    def _license(self, key: str) -> License:
        if key not in self.licenses:
            found = License.objects.filter(key=key).first()
            if found is None:
                raise _Problem(f"unknown license {key!r}")
            self.licenses[key] = found
        return self.licenses[key]

    def _term(self, model, slug: str):
        cache = self.terms[model]
        if slug not in cache:
            found = model.objects.filter(slug=slug).first()
            if found is None:
                raise _Problem(f"unknown {model._meta.verbose_name} {slug!r}")
            cache[slug] = found
        return cache[slug]

    def _organization(self, slug: str) -> Organization:
        if slug not in self.organizations:
            found = Organization.objects.filter(slug=slug).first()
            if found is None:
                raise _Problem(f"unknown organization {slug!r}")
            self.organizations[slug] = found
        return self.organizations[slug]

    def _entry_pk(self, entry_id: str) -> int:
        if entry_id not in self.entry_ids:
            namespace, _, slug = str(entry_id).partition("/")
            pk = Artifact.objects.filter(namespace=namespace, slug=slug).values_list(
                "pk", flat=True
            )
            pk = pk.first()
            if pk is None:
                raise _Problem(f"unknown entry {entry_id!r}")
            self.entry_ids[entry_id] = pk
        return self.entry_ids[entry_id]

    def _list(self, record: dict, name: str) -> list:
        value = record.get(name, [])
        if not isinstance(value, list):
            raise _Problem(f"{name} must be a list")
        return value

    def _set_m2m(self, label: str, manager, objects: list) -> None:
        current = {o.pk for o in manager.all()}
        wanted = {o.pk for o in objects}
        if current != wanted:
            manager.set(objects)
        self.report.count(label, "created", len(wanted - current))
        self.report.count(label, "deleted", len(current - wanted))
        self.report.count(label, "unchanged", len(wanted & current))

    def _validate_child(self, label: str, row: models.Model, row_key) -> None:
        try:
            _validate(row)
        except _Problem as problem:
            name = row.organization.slug if isinstance(row, Contribution) else row_key
            raise _Problem(f"{label} {name!r}: {problem}") from None

    def _sync_children(self, label: str, queryset, key: str, wanted: dict, create) -> None:
        """Make the rows of `queryset` match `wanted` (key -> values)."""
        existing = {getattr(row, key): row for row in queryset}
        for stale in existing.keys() - wanted.keys():
            existing[stale].delete()
            self.report.count(label, "deleted")
        for row_key, values in wanted.items():
            row = existing.get(row_key)
            if row is None:
                row = create(row_key, values)
                self._validate_child(label, row, row_key)
                row.save()
                self.report.count(label, "created")
                continue
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if changed:
                for name in changed:
                    setattr(row, name, values[name])
                self._validate_child(label, row, row_key)
                row.save()
                self.report.count(label, "updated")
            else:
                self.report.count(label, "unchanged")

    # -- records --------------------------------------------------------------

    def catalog(self, record: dict) -> None:
        if record.get("format") != FORMAT:
            raise _Problem(f"not an {FORMAT} export (format {record.get('format')!r})")
        if record.get("version") != FORMAT_VERSION:
            raise _Problem(
                f"format version {record.get('version')!r}; this catalog reads {FORMAT_VERSION}"
            )
        self.header_seen = True
        self.with_history = record.get("history") is True

    def license(self, record: dict) -> None:
        _require(record, ["key"])
        values = _python(License, record, LICENSE_FIELDS)
        self.licenses[record["key"]] = self._upsert(
            "licenses", License, {"key": record["key"]}, values
        )

    def term(self, model, record: dict) -> None:
        _require(record, ["slug"])
        values = _python(model, record, ["name"]) if model is not Tag else {}
        label = model._meta.verbose_name_plural
        self.terms[model][record["slug"]] = self._upsert(
            label, model, {"slug": record["slug"]}, values
        )

    def _save_with_stamps(self, label: str, model, lookup: dict, values: dict, stamps: dict):
        """Create or update one row so it holds `values` and the `stamps` (fields saving
        would overwrite: auto_now times, computed values), counting it once."""
        instance = model.objects.filter(**lookup).first()
        if instance is None:
            instance = model(**lookup, **values)
            _validate(instance)
            instance.save()
            state = "created"
        else:
            changed = [name for name, value in values.items() if getattr(instance, name) != value]
            for name in changed:
                setattr(instance, name, values[name])
            if changed:
                _validate(instance)
                instance.save()
            state = "updated" if changed or self._stamps_differ(instance, stamps) else "unchanged"
        self.report.count(label, state)
        return instance

    def organization(self, record: dict) -> None:
        _require(record, ["slug"])
        values = _python(Organization, record, ORGANIZATION_FIELDS)
        stamps = {name: values.pop(name) for name in ("created_at", "updated_at")}
        org = self._save_with_stamps(
            "organizations", Organization, {"slug": record["slug"]}, values, stamps
        )
        if self._stamps_differ(org, stamps):
            self._stamp(org, stamps)
        self.organizations[record["slug"]] = org

    def user(self, record: dict) -> None:
        _require(record, ["username", "groups"])
        values = _python(User, record, USER_FIELDS)
        user = User.objects.filter(username=record["username"]).first()
        if user is None:
            user = User(username=record["username"], **values)
            user.set_unusable_password()
            _validate(user, exclude=["password"])
            user.save()
            self.report.count("users", "created")
        else:
            changed = [name for name, value in values.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, values[name])
            if changed:
                _validate(user, exclude=["password"])
                user.save()
            self.report.count("users", "updated" if changed else "unchanged")
        groups = []
        for name in self._list(record, "groups"):
            group, _ = Group.objects.get_or_create(name=name)
            groups.append(group)
        self._set_m2m("user groups", user.groups, groups)

    def membership(self, record: dict) -> None:
        _require(record, ["organization", "user"])
        values = _python(Membership, record, ["role", "created_at"])
        stamps = {"created_at": values.pop("created_at")}
        org = self._organization(record["organization"])
        user = User.objects.filter(username=record["user"]).first()
        if user is None:
            raise _Problem(f"unknown user {record['user']!r}")
        membership = self._save_with_stamps(
            "memberships", Membership, {"user": user, "organization": org}, values, stamps
        )
        if self._stamps_differ(membership, stamps):
            self._stamp(membership, stamps)

    def entry(self, record: dict) -> None:
        _require(record, ["id", "contributions"])
        entry_id = str(record["id"])
        namespace, slash, slug = entry_id.partition("/")
        if not slash:
            raise _Problem(f"id {entry_id!r} is not <namespace>/<slug>")
        values = _python(Artifact, record, ENTRY_FIELDS)
        stamps = _python(Artifact, record, ENTRY_STAMPS)
        licenses = [self._license(key) for key in self._list(record, "licenses")]
        terms = {
            name: [self._term(model, slug) for slug in self._list(record, name)]
            for name, model in ENTRY_TERMS.items()
        }
        contributions = {}
        for item in self._list(record, "contributions"):
            if not isinstance(item, dict) or "organization" not in item or "role" not in item:
                raise _Problem("each contribution needs an organization and a role")
            org = self._organization(item["organization"])
            contributions[org.pk] = {"role": item["role"]}
        variants = {}
        for item in self._list(record, "variants"):
            if not isinstance(item, dict) or "name" not in item:
                raise _Problem("each variant needs a name")
            variants[item["name"]] = _python(ModelVariant, item, VARIANT_FIELDS)
        sources = {}
        for item in self._list(record, "sources"):
            if not isinstance(item, dict) or "url" not in item:
                raise _Problem("each source needs a url")
            sources[item["url"]] = _python(Source, item, ["position"])
        components = {}
        for item in self._list(record, "openness_components"):
            if not isinstance(item, dict) or "component" not in item:
                raise _Problem("each openness component needs a component")
            # Files exported before components could be `unlicensed` do not say it.
            item = {"unlicensed": False, **item}
            components[item["component"]] = _python(OpennessComponent, item, COMPONENT_FIELDS)

        # Saving checks constraints that need the publication time, so the entry is
        # saved with it; the other stamps are written after its children.
        values["published_at"] = stamps["published_at"]
        entry = self._save_with_stamps(
            "entries", Artifact, {"namespace": namespace, "slug": slug}, values, stamps
        )
        self.entry_ids[entry_id] = entry.pk

        self._sync_children(
            "contributions",
            Contribution.objects.filter(artifact=entry),
            "organization_id",
            contributions,
            lambda org_pk, v: Contribution(artifact=entry, organization_id=org_pk, **v),
        )
        self._sync_children(
            "model variants",
            ModelVariant.objects.filter(artifact=entry),
            "name",
            variants,
            lambda name, v: ModelVariant(artifact=entry, name=name, **v),
        )
        self._sync_children(
            "sources",
            Source.objects.filter(artifact=entry),
            "url",
            sources,
            lambda url, v: Source(artifact=entry, url=url, **v),
        )
        self._sync_children(
            "openness components",
            OpennessComponent.objects.filter(artifact=entry),
            "component",
            components,
            lambda component, v: OpennessComponent(artifact=entry, component=component, **v),
        )
        self._set_m2m("entry licenses", entry.licenses, licenses)
        for name, objects in terms.items():
            self._set_m2m(f"entry {name}", getattr(entry, name), objects)
        entry.refresh_from_db()
        if self._stamps_differ(entry, stamps):
            self._stamp(entry, stamps)

    def relation(self, record: dict) -> None:
        _require(record, ["source", "relation_type", "target", "external_name"])
        source_pk = self._entry_pk(record["source"])
        target_pk = self._entry_pk(record["target"]) if record["target"] else None
        values = _python(Relation, record, RELATION_FIELDS)
        external_name = str(record["external_name"])
        lookup = {
            "source_id": source_pk,
            "relation_type": record["relation_type"],
            "target_id": target_pk,
        }
        if target_pk is None:
            lookup["external_name"] = external_name
        existing = Relation.objects.filter(**lookup).first()
        if existing is None:
            relation = Relation(**lookup, **values)
            if target_pk is not None:
                relation.external_name = external_name
            _validate(relation)
            relation.save()
            self.report.count("relations", "created")
        else:
            changed = [name for name, value in values.items() if getattr(existing, name) != value]
            if changed:
                for name in changed:
                    setattr(existing, name, values[name])
                _validate(existing)
                existing.save()
            self.report.count("relations", "updated" if changed else "unchanged")
            relation = existing
        self.relations_seen.add(relation.pk)

    def history(self, record: dict) -> None:
        _require(record, ["of", "id", "history_date", "history_type", "fields"])
        if record["of"] not in HISTORIES:
            raise _Problem(f"history of {record['of']!r}; expected one of {', '.join(HISTORIES)}")
        if not isinstance(record["fields"], dict):
            raise _Problem("fields must be an object")
        model, names = HISTORIES[record["of"]]
        if model is Artifact:
            pk = self._entry_pk(record["id"])
        else:
            pk = self._organization(record["id"]).pk
        values = _python(model, record["fields"], names)
        historical = model.history.model
        when = _python(historical, record, ["history_date"])["history_date"]
        if record["history_type"] not in {"+", "~", "-"}:
            raise _Problem(f"history_type {record['history_type']!r} is not +, ~ or -")
        user = None
        if record.get("history_user"):
            user = User.objects.filter(username=record["history_user"]).first()
            if user is None:
                raise _Problem(f"unknown user {record['history_user']!r}")
        values.update(history_user=user, history_change_reason=record.get("history_change_reason"))
        label = f"{model._meta.verbose_name} history"
        row = historical.objects.filter(
            id=pk, history_date=when, history_type=record["history_type"]
        ).first()
        if row is None:
            row = historical(id=pk, history_date=when, history_type=record["history_type"])
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
            self.report.count(label, "created")
        else:
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                row.save()
            self.report.count(label, "updated" if changed else "unchanged")
        self.history_kept[model].add(row.history_id)

    def _drop_history_made_by_this_import(self) -> None:
        """With history in the file, the file's records are the history: the ones the
        import's own saves just wrote go."""
        for model, kept in self.history_kept.items():
            made = model.history.filter(history_date__gte=self.started)
            made = [pk for pk in made.values_list("history_id", flat=True) if pk not in kept]
            for start in range(0, len(made), CHUNK):
                model.history.filter(history_id__in=made[start : start + CHUNK]).delete()

    def finish(self) -> None:
        """Delete the relations of imported entries that the file no longer has."""
        if not self.header_seen:
            raise _Problem("the file has no catalog header record")
        if self.with_history:
            self._drop_history_made_by_this_import()
        imported = list(self.entry_ids.values())
        for start in range(0, len(imported), CHUNK):
            stale = Relation.objects.filter(source_id__in=imported[start : start + CHUNK])
            for relation in stale.exclude(pk__in=self.relations_seen):
                relation.delete()
                self.report.count("relations", "deleted")

    def dispatch(self, record: dict) -> None:
        kind = record.get("type")
        if kind not in TYPES:
            raise _Problem(f"unknown record type {kind!r}; expected one of {', '.join(TYPES)}")
        if kind != "catalog" and not self.header_seen:
            raise _Problem("the first record must be the catalog header")
        if kind in TERMS:
            self.term(TERMS[kind], record)
        elif kind == "tag":
            self.term(Tag, record)
        else:
            getattr(self, kind)(record)


def _lines(source: IO[str]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ImportError_(number, f"not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise ImportError_(number, "a record must be a JSON object")
        yield number, record


def import_catalog(
    source: IO[str],
    *,
    progress: Callable[[int], None] | None = None,
    on_line: Callable | None = None,
) -> ImportReport:
    """Load an export; all or nothing. Raises ImportError_ naming the bad line."""
    report = ImportReport()
    importer = _Importer(report)
    number = 0
    with transaction.atomic(), refreshing_once():  # each entry's document once, at the end
        for number, record in _lines(source):
            try:
                importer.dispatch(record)
            except _Problem as problem:
                raise ImportError_(number, str(problem)) from None
            except (DatabaseError, ValueError, TypeError) as error:
                raise ImportError_(number, f"{type(error).__name__}: {error}") from None
            if progress:
                progress(1)
        try:
            importer.finish()
        except _Problem as problem:
            raise ImportError_(number + 1, str(problem)) from None
    refresh_statistics()
    return report
