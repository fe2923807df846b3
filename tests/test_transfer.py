"""export_catalog and import_catalog: lossless, idempotent, all or nothing."""

from __future__ import annotations

import io
import json
import os
import uuid
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import models

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
from catalog.progress import Progress
from tests import find_postgres
from tests.commands import manage
from tests.factories import make_member

ROOT = Path(__file__).resolve().parent.parent

# Every model the export carries, and how a row of each is named without database ids.
NATURAL_KEYS = {
    License: lambda o: o.key,
    Task: lambda o: o.slug,
    Modality: lambda o: o.slug,
    Language: lambda o: o.slug,
    Tag: lambda o: o.slug,
    Organization: lambda o: o.slug,
    Artifact: lambda o: f"{o.namespace}/{o.slug}",
    Contribution: lambda o: (f"{o.artifact.namespace}/{o.artifact.slug}", o.organization.slug),
    ModelVariant: lambda o: (f"{o.artifact.namespace}/{o.artifact.slug}", o.name),
    Source: lambda o: (f"{o.artifact.namespace}/{o.artifact.slug}", o.url),
    OpennessComponent: lambda o: (f"{o.artifact.namespace}/{o.artifact.slug}", o.component),
    Relation: lambda o: (
        f"{o.source.namespace}/{o.source.slug}",
        o.relation_type,
        f"{o.target.namespace}/{o.target.slug}" if o.target else o.external_name,
    ),
    Membership: lambda o: (o.organization.slug, o.user.username),
}


def _field_value(instance: models.Model, model_field: models.Field) -> object:
    if model_field.is_relation:
        related = getattr(instance, model_field.name)
        return None if related is None else NATURAL_KEYS.get(type(related), str)(related)
    return getattr(instance, model_field.attname)


def catalog_state() -> dict:
    """Every field of every row of every exported model, by natural key; many-to-many
    links as sorted natural keys. New fields are picked up by themselves."""
    state = {}
    for model, natural_key in NATURAL_KEYS.items():
        rows = {}
        for instance in model.objects.all():
            values = {
                f.name: _field_value(instance, f)
                for f in model._meta.concrete_fields
                if not f.primary_key
            }
            for m2m in model._meta.many_to_many:
                if m2m.remote_field.through._meta.auto_created:
                    values[m2m.name] = sorted(
                        NATURAL_KEYS[m2m.related_model](o)
                        for o in getattr(instance, m2m.name).all()
                    )
            rows[natural_key(instance)] = values
        state[model.__name__] = rows
    return state


def empty_the_catalog() -> None:
    Relation.objects.all().delete()
    Artifact.objects.all().delete()
    Membership.objects.all().delete()
    for model in (Organization, License, Task, Modality, Language, Tag):
        model.objects.all().delete()


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_catalog", *args, stdout=out)
    return out.getvalue()


def import_file(path: Path) -> str:
    out = io.StringIO()
    call_command("import_catalog", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_export_writes_one_typed_record_a_line_with_natural_keys(seeded):
    lines = export().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0] == {"type": "catalog", "format": "alliance-catalog", "version": 1}
    entry = next(r for r in records if r["type"] == "entry" and r["id"] == "meta/llama-2")
    assert entry["contributions"] == [{"organization": "meta", "role": "lead"}]
    assert entry["licenses"] == ["LicenseRef-scancode-llama-2-license-2023"]
    assert [v["name"] for v in entry["variants"]] == ["13B", "70B", "7B"]
    assert all(isinstance(s["url"], str) for s in entry["sources"])
    types = [r["type"] for r in records]
    # References always come before what refers to them.
    assert types.index("organization") < types.index("entry") < types.index("relation")
    relation = next(r for r in records if r["type"] == "relation")
    assert "/" in relation["source"]
    assert not any("artifact_id" in line or '"pk"' in line for line in lines)


@pytest.mark.django_db
def test_round_trip_into_an_empty_catalog_gives_the_same_file_and_every_field(seeded, tmp_path):
    before_state = catalog_state()
    entries, relations = Artifact.objects.count(), Relation.objects.count()
    first = tmp_path / "first.jsonl"
    call_command("export_catalog", "--output", str(first))
    empty_the_catalog()
    assert Artifact.objects.count() == 0

    report = import_file(first)
    assert f"entries: {entries} created" in report
    assert f"relations: {relations} created" in report
    assert catalog_state() == before_state
    assert export() == first.read_text()


@pytest.mark.django_db
def test_importing_again_changes_nothing_and_says_so(seeded, tmp_path):
    path = tmp_path / "catalog.jsonl"
    call_command("export_catalog", "--output", str(path))
    report = import_file(path)
    for state in ("created", "updated", "deleted"):
        assert state not in report
    assert f"entries: {Artifact.objects.count()} unchanged" in report
    assert "Catalog imported; nothing changed." in report


@pytest.mark.django_db
def test_import_into_an_existing_catalog_updates_only_what_differs(seeded, tmp_path):
    path = tmp_path / "catalog.jsonl"
    call_command("export_catalog", "--output", str(path))
    before_state = catalog_state()
    sources, variants = Source.objects.count(), ModelVariant.objects.count()
    llama = Artifact.objects.get(namespace="meta", slug="llama-2")
    Artifact.objects.filter(pk=llama.pk).update(summary="Changed after the export.")
    Source.objects.create(artifact=llama, url="https://example.org/not-in-the-file", position=9)
    llama.variants.filter(name="7B").delete()

    report = import_file(path).splitlines()
    assert f"entries: 1 updated, {Artifact.objects.count() - 1} unchanged" in report
    assert f"sources: 1 deleted, {sources} unchanged" in report
    assert f"model variants: 1 created, {variants - 1} unchanged" in report
    assert catalog_state() == before_state


def history_state() -> list[tuple]:
    rows = []
    for model, key in (
        (Artifact, lambda h: (h.namespace, h.slug)),
        (Organization, lambda h: h.slug),
    ):
        for row in model.history.select_related("history_user"):
            values = {
                f.attname: getattr(row, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key
            }
            user = row.history_user.username if row.history_user else None
            rows.append(
                (
                    model.__name__,
                    key(row),
                    row.history_date,
                    row.history_type,
                    user,
                    row.history_change_reason,
                    sorted(values.items(), key=lambda v: v[0]),
                )
            )
    return sorted(rows, key=repr)


@pytest.mark.django_db
def test_history_round_trips_with_with_history(seeded, tmp_path):
    curator = User.objects.create(username="curator-cleo")
    llama = Artifact.objects.get(namespace="meta", slug="llama-2")
    llama.summary = "Edited by a curator."
    llama._change_reason = "Clearer summary"
    llama._history_user = curator
    llama.save()
    assert llama.history.count() >= 2
    before = history_state()
    state = catalog_state()
    path = tmp_path / "catalog.jsonl"
    call_command("export_catalog", "--with-history", "--output", str(path))
    text = path.read_text()
    assert json.loads(text.splitlines()[0])["history"] is True
    assert '"history_user": "curator-cleo"' in text
    assert "password" not in text
    assert '"type": "history"' not in export()  # only when asked for

    empty_the_catalog()
    Artifact.history.all().delete()
    Organization.history.all().delete()
    User.objects.all().delete()
    report = import_file(path)
    assert f"entry history: {len([r for r in before if r[0] == 'Artifact'])} created" in report
    assert history_state() == before
    assert catalog_state() == state
    again = io.StringIO()
    call_command("export_catalog", "--with-history", stdout=again)
    assert again.getvalue() == text
    assert "Catalog imported; nothing changed." in import_file(path)
    assert history_state() == before


@pytest.mark.django_db
def test_memberships_round_trip_with_their_accounts_but_no_passwords(seeded, tmp_path):
    meta = Organization.objects.get(slug="meta")
    member = make_member(meta, "editor", username="ada")
    member.email = "ada@example.org"
    member.save()
    without = export()
    assert '"type": "membership"' not in without
    path = tmp_path / "catalog.jsonl"
    call_command("export_catalog", "--with-memberships", "--output", str(path))
    text = path.read_text()
    assert "password" not in text
    state = catalog_state()
    empty_the_catalog()
    User.objects.all().delete()

    report = import_file(path)
    assert "memberships: 1 created" in report
    assert catalog_state() == state
    ada = User.objects.get(username="ada")
    assert ada.email == "ada@example.org"
    assert not ada.has_usable_password()


BAD_LINES = [
    ("{not json", "not valid JSON"),
    ('["a list"]', "a record must be a JSON object"),
    ('{"type": "planet", "slug": "mars"}', "unknown record type 'planet'"),
    ('{"type": "task", "name": "No slug"}', "task record lacks slug"),
    (
        '{"type": "entry", "id": "meta/new-one", "contributions": []}',
        "entry record lacks kind",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad", "problem"), BAD_LINES)
def test_a_bad_line_is_named_and_nothing_is_written(seeded, tmp_path, bad, problem):
    lines = export().splitlines()
    lines.insert(3, bad)
    # A change before the bad line, which must not stay either.
    first_license = json.loads(lines[1])
    first_license["name"] = "Renamed by the import"
    lines[1] = json.dumps(first_license)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    before = catalog_state()
    with pytest.raises(CommandError) as raised:
        import_file(path)
    message = str(raised.value)
    assert message.startswith("Nothing was imported.")
    assert "line 4: " in message, message
    assert problem in message, message
    assert catalog_state() == before


def _entry_line_with(tmp_path, **changes) -> tuple[Path, int]:
    lines = export().splitlines()
    number = next(i for i, line in enumerate(lines) if '"id": "meta/llama-2"' in line)
    record = json.loads(lines[number])
    record.update(changes)
    lines[number] = json.dumps(record)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path, number + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"kind": "spaceship"}, "kind: Value 'spaceship' is not a valid choice."),
        ({"licenses": ["No-Such-License"]}, "unknown license 'No-Such-License'"),
        ({"tasks": ["time-travel"]}, "unknown task 'time-travel'"),
        (
            {"contributions": [{"organization": "nobody", "role": "lead"}]},
            "unknown organization 'nobody'",
        ),
        ({"released_on": "May 2024"}, "released_on:"),
        (
            {"variants": [{"name": "7B", "parameters": -5, "active_parameters": None}]},
            "model variants '7B': The parameter count is a number above 0.",
        ),
        ({"id": "no-slash"}, "is not <namespace>/<slug>"),
        (
            {"openness_components": [{"component": "model_card", "location": ""}]},
            "item lacks included, license_expression",
        ),
    ],
)
def test_a_bad_entry_is_named_by_its_line_and_field(seeded, tmp_path, changes, problem):
    path, number = _entry_line_with(tmp_path, **changes)
    before = catalog_state()
    with pytest.raises(CommandError) as raised:
        import_file(path)
    assert f"line {number}: " in str(raised.value)
    assert problem in str(raised.value)
    assert catalog_state() == before


@pytest.mark.django_db
def test_a_file_without_the_header_or_from_another_format_is_refused(tmp_path):
    path = tmp_path / "other.jsonl"
    path.write_text('{"type": "task", "slug": "x", "name": "X"}\n')
    with pytest.raises(CommandError, match="line 1: the first record must be the catalog header"):
        import_file(path)
    path.write_text('{"type": "catalog", "format": "something-else", "version": 1}\n')
    with pytest.raises(CommandError, match="line 1: not an alliance-catalog export"):
        import_file(path)
    path.write_text('{"type": "catalog", "format": "alliance-catalog", "version": 99}\n')
    with pytest.raises(CommandError, match="line 1: format version 99"):
        import_file(path)
    assert Task.objects.filter(slug="x").count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.jsonl: No such file"):
        import_file(tmp_path / "missing.jsonl")


# ------------------------------------------------------------------------------
# Across engines: SQLite -> PostgreSQL -> SQLite, through the commands, in processes of
# their own (each with its own DATABASE_URL).
# ------------------------------------------------------------------------------


def _postgres_server() -> str | None:
    url = None
    for candidate in find_postgres.candidates():
        if find_postgres.reachable(candidate) is None:
            url = candidate
            break
    if url is None and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("PostgreSQL is required (REQUIRE_POSTGRES=1) but none is reachable.")
    return url


def test_round_trip_sqlite_to_postgresql_to_sqlite_is_lossless(tmp_path):
    server = _postgres_server()
    if server is None:
        pytest.skip("No PostgreSQL reachable (set TEST_DATABASE_URL to run this test).")
    name = f"transfer_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(server, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        postgres = server.rsplit("/", 1)[0] + f"/{name}"
        first_sqlite = f"sqlite:///{tmp_path / 'first.sqlite3'}"
        second_sqlite = f"sqlite:///{tmp_path / 'second.sqlite3'}"
        files = [tmp_path / f"{n}.jsonl" for n in ("sqlite", "postgres", "back")]

        manage(first_sqlite, "migrate", "--noinput", "-v0")
        manage(first_sqlite, "load_seeds")
        everything = ("--with-history", "--with-memberships")
        manage(first_sqlite, "export_catalog", *everything, "--output", str(files[0]))
        manage(postgres, "migrate", "--noinput", "-v0")
        entries = sum('"type": "entry"' in line for line in files[0].read_text().splitlines())
        assert entries > 100
        imported = manage(postgres, "import_catalog", str(files[0])).stdout
        assert f"entries: {entries} created" in imported
        manage(postgres, "export_catalog", *everything, "--output", str(files[1]))
        manage(second_sqlite, "migrate", "--noinput", "-v0")
        manage(second_sqlite, "import_catalog", str(files[1]))
        manage(second_sqlite, "export_catalog", *everything, "--output", str(files[2]))

        assert '"type": "history"' in files[0].read_text()
        assert files[1].read_text() == files[0].read_text()
        assert files[2].read_text() == files[0].read_text()
        again = manage(postgres, "import_catalog", str(files[2])).stdout
        assert "Catalog imported; nothing changed." in again
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def test_export_is_quiet_in_a_pipe(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage(database, "migrate", "--noinput", "-v0")
    result = manage(database, "export_catalog")
    assert "\r" not in result.stderr
    assert result.stdout.splitlines()[0].startswith('{"type": "catalog"')


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_with_the_time_left():
    terminal = _Terminal()
    progress = Progress("Importing records", 4, terminal)
    progress.step()
    progress.close()
    shown = terminal.getvalue()
    assert "\rImporting records:  25%|" in shown
    assert "| 1/4 [00:00<00:00, " in shown  # the count, the time taken and the time left
    assert shown.endswith("\n")


def test_progress_is_silent_when_not_a_terminal():
    pipe = io.StringIO()
    progress = Progress("Importing records", 4, pipe)
    progress.step(4)
    progress.close()
    assert pipe.getvalue() == ""


@pytest.mark.django_db
def test_an_edge_that_closes_a_lineage_cycle_is_refused(seeded, tmp_path):
    lines = export().splitlines()
    edges = (json.loads(line) for line in lines if '"type": "relation"' in line)
    edge = next(e for e in edges if e["relation_type"] == "fine_tuned_from" and e["target"])
    edge["source"], edge["target"] = edge["target"], edge["source"]  # base from its own tune
    lines.append(json.dumps(edge))
    path = tmp_path / "cycle.jsonl"
    path.write_text("\n".join(lines) + "\n")
    before = catalog_state()
    with pytest.raises(CommandError) as raised:
        import_file(path)
    assert f"line {len(lines)}: " in str(raised.value)
    assert "This would make a lineage cycle" in str(raised.value)
    assert catalog_state() == before


@pytest.mark.django_db
def test_an_export_from_before_unlicensed_components_still_imports(seeded, tmp_path):
    lines = []
    for line in export().splitlines():
        record = json.loads(line)
        for component in record.get("openness_components", []):
            del component["unlicensed"]  # as files exported before migration 0020 read
        lines.append(json.dumps(record))
    path = tmp_path / "older.jsonl"
    path.write_text("\n".join(lines) + "\n")
    components = OpennessComponent.objects.count()
    empty_the_catalog()

    assert "Catalog imported." in import_file(path)
    assert OpennessComponent.objects.count() == components
    assert not OpennessComponent.objects.filter(unlicensed=True).exists()
