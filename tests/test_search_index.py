"""The search index follows every write path, and the query syntax parses safely."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.http import QueryDict

from catalog.models import (
    Artifact,
    ArtifactFacet,
    ArtifactSearchDocument,
    Language,
    License,
    Modality,
    OpennessComponent,
    Tag,
    Task,
)
from catalog.openness import CLASS_II
from catalog.search import signals
from catalog.search.documents import check_index
from catalog.search.query import run_search
from catalog.search.signals import refreshing_once
from catalog.search.syntax import ParsedQuery, QuerySyntaxError, Term, parse_query
from catalog.seeding import load_seeds
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db


def q(text: str) -> QueryDict:
    params = QueryDict("", mutable=True)
    params["q"] = text
    return params


def entry(slug: str, name: str, **fields) -> Artifact:
    """An artifact whose only searchable words are its name (and its lead's)."""
    return make_artifact(slug, name=name, summary="An entry.", **fields)


def search_ids(text: str) -> list[str]:
    result = run_search(q(text), AnonymousUser())
    assert not result.errors, result.errors
    return [a.repo_id for a in result.artifacts]


# ------------------------------------------------------------------------------
# Syntax
# ------------------------------------------------------------------------------
SYNTAX = [
    ("", ParsedQuery()),
    ("granite", ParsedQuery(clauses=((Term("granite", prefix=True),),))),
    ("a", ParsedQuery(clauses=((Term("a"),),))),  # too short to be a prefix
    (
        "llama code",
        ParsedQuery(clauses=((Term("llama"),), (Term("code", prefix=True),))),
    ),
    (
        '"open source" model',
        ParsedQuery(clauses=((Term("open source", phrase=True),), (Term("model", prefix=True),))),
    ),
    (
        "llama OR mistral 7b",
        ParsedQuery(clauses=((Term("llama"), Term("mistral")), (Term("7b", prefix=True),))),
    ),
    (
        "llama -guard",
        ParsedQuery(clauses=((Term("llama", prefix=True),),), excluded=(Term("guard"),)),
    ),
    ('-"code llama"', ParsedQuery(excluded=(Term("code llama", phrase=True),))),
    ("OR llama OR", ParsedQuery(clauses=((Term("llama", prefix=True),),))),
    ("* - ** 🦙", ParsedQuery()),
    ('"unterminated', ParsedQuery(clauses=((Term("unterminated", phrase=True),),))),
]


@pytest.mark.parametrize(("text", "expected"), SYNTAX)
def test_parse_query(text, expected):
    assert parse_query(text) == expected


@pytest.mark.parametrize("text", ["x" * 301, " ".join(["w"] * 17)])
def test_too_long_queries_are_refused(text):
    with pytest.raises(QuerySyntaxError):
        parse_query(text)


# ------------------------------------------------------------------------------
# Every write path keeps the index true.
# ------------------------------------------------------------------------------
def test_a_new_artifact_is_found_and_a_deleted_one_is_not():
    artifact = entry("zephyrine", "Zephyrine Model")
    assert search_ids("zephyrine") == [artifact.repo_id]
    artifact.delete()
    assert search_ids("zephyrine") == []
    assert not ArtifactSearchDocument.objects.filter(artifact_id=artifact.pk).exists()


def test_saving_a_changed_name_updates_the_index():
    artifact = entry("quokka", "Quokka")
    artifact.name = "Wombat"
    artifact.save()
    assert search_ids("quokka") == []
    assert search_ids("wombat") == [artifact.repo_id]


@pytest.mark.parametrize(
    ("model", "relation", "name"),
    [(Tag, "tags", "marsupial-llm"), (Task, "tasks", None), (Modality, "modalities", None)],
)
def test_m2m_changes_update_the_index(model, relation, name):
    artifact = entry("numbat", "Numbat")
    if model is Tag:
        term = Tag.objects.create(slug=name)
        word = "marsupial"
    else:
        term = model.objects.create(slug="echolocation", name="Echolocation")
        word = "echolocation"
    getattr(artifact, relation).add(term)
    assert search_ids(word) == [artifact.repo_id]
    getattr(artifact, relation).remove(term)
    assert search_ids(word) == []
    getattr(artifact, relation).set([term])
    assert search_ids(word) == [artifact.repo_id]
    getattr(artifact, relation).clear()
    assert search_ids(word) == []


def test_an_entrys_license_category_is_searchable_and_followed():
    from catalog.models import License

    artifact = entry("numbat", "Numbat")
    license_ = License.objects.create(key="LicenseRef-numbat", name="Numbat", category="Copyleft")
    artifact.licenses.add(license_)
    assert search_ids("copyleft") == [artifact.repo_id]
    license_.category = "Permissive"
    license_.save()
    assert search_ids("permissive") == [artifact.repo_id]
    assert search_ids("copyleft") == []
    artifact.licenses.clear()
    assert search_ids("permissive") == []


def test_renaming_a_term_updates_its_artifacts():
    artifact = entry("bilby", "Bilby")
    task = Task.objects.create(slug="burrowing", name="Burrowing")
    artifact.tasks.add(task)
    task.name = "Excavation"
    task.save()
    assert search_ids("excavation") == [artifact.repo_id]
    assert search_ids("burrowing") == []


def test_contributions_and_organization_renames_update_the_index():
    lead = make_organization("quoll-labs", name="Quoll Labs")
    partner = make_organization("dunnart", name="Dunnart Institute")
    artifact = entry("potoroo", "Potoroo", lead=lead)
    assert search_ids("quoll") == [artifact.repo_id]
    contribution = artifact.contributions.create(organization=partner, role="contributor")
    assert search_ids("dunnart") == [artifact.repo_id]
    partner.name = "Bettong Institute"
    partner.save()
    assert search_ids("bettong") == [artifact.repo_id]
    assert search_ids("dunnart") == []
    contribution.delete()
    assert search_ids("bettong") == []


def test_an_organizations_full_name_is_searchable_and_followed():
    lead = make_organization("wombat", name="Wombat")
    artifact = entry("quokka", "Quokka", lead=lead)
    lead.full_name = "Quuxcorp International"
    lead.save()
    assert search_ids("quuxcorp") == [artifact.repo_id]


@pytest.mark.parametrize("model", [Task, Modality, Tag])
def test_deleting_a_term_updates_its_artifacts(model):
    artifact = entry("numbat", "Numbat")
    if model is Tag:
        term = Tag.objects.create(slug="echolocation")
        artifact.tags.add(term)
    else:
        term = model.objects.create(slug="echolocation", name="Echolocation")
        getattr(artifact, "tasks" if model is Task else "modalities").add(term)
    assert search_ids("echolocation") == [artifact.repo_id]
    term.delete()
    assert search_ids("echolocation") == []
    assert check_index().ok


def test_a_history_revert_updates_the_index():
    artifact = entry("cassowary", "Cassowary")
    artifact.name = "Emu"
    artifact.save()
    assert search_ids("cassowary") == []
    first = artifact.history.order_by("history_date", "history_id").first()
    first.instance.save()  # what the admin's "revert" does
    assert search_ids("cassowary") == [artifact.repo_id]
    assert search_ids("emu") == []


def test_a_bulk_write_writes_each_document_once_at_its_end():
    with refreshing_once():
        artifact = entry("cassowary", "Cassowary")
        artifact.tags.add(Tag.objects.create(slug="flightless"))
        artifact.name = "Emu"
        artifact.save()
        assert not ArtifactSearchDocument.objects.filter(artifact=artifact).exists()
    assert search_ids("emu flightless") == [artifact.repo_id]
    assert search_ids("cassowary") == []
    assert check_index().ok


def test_a_failed_bulk_write_leaves_nothing_behind():
    def import_that_stops():
        with transaction.atomic(), refreshing_once():
            entry("cassowary", "Cassowary")
            raise RuntimeError("the import stopped")

    with pytest.raises(RuntimeError):
        import_that_stops()
    assert not Artifact.objects.exists()
    assert not ArtifactSearchDocument.objects.exists()
    assert search_ids("cassowary") == []


def test_seeding_writes_each_entry_document_once(monkeypatch):
    written = []
    real = signals.refresh_documents

    def spy(artifact_ids):
        ids = list(artifact_ids)
        written.extend(ids)
        return real(ids)

    monkeypatch.setattr(signals, "refresh_documents", spy)
    load_seeds()
    assert sorted(written) == sorted(Artifact.objects.values_list("pk", flat=True))
    assert check_index().ok


def card(artifact) -> dict:
    return ArtifactSearchDocument.objects.get(artifact=artifact).card


def test_the_card_follows_every_write_it_shows():
    artifact = entry("cassowary", "Cassowary", license="Apache-2.0")
    variant = artifact.variants.create(name="7B", parameters=7 * 10**9)
    assert card(artifact)["parameters"][0]["name"] == "7B"
    variant.name = "7B-v2"
    variant.save()
    assert card(artifact)["parameters"][0]["name"] == "7B-v2"
    variant.delete()
    assert card(artifact)["parameters"] == []
    artifact.languages.add(Language.objects.create(slug="haw", name="Hawaiian"))
    assert card(artifact)["languages"] == ["haw"]
    apache = License.objects.get(key="Apache-2.0")
    apache.name = "Apache License, version 2"
    apache.save()
    assert card(artifact)["license"]["parts"][0]["name"] == "Apache License, version 2"
    lead = artifact.contributions.get().organization
    lead.name = "Ratites United"
    lead.save()
    assert card(artifact)["organizations"][0]["name"] == "Ratites United"
    assert check_index().ok


def test_the_check_sees_a_card_out_of_date():
    artifact = entry("cassowary", "Cassowary")
    ArtifactSearchDocument.objects.filter(artifact=artifact).update(card={"id": "stale"})
    assert check_index().stale == [artifact.repo_id]


def facet_values(artifact) -> set[tuple[str, str]]:
    return set(ArtifactFacet.objects.filter(artifact=artifact).values_list("dimension", "value"))


def test_the_facet_values_follow_every_write_they_count():
    artifact = entry("cassowary", "Cassowary", license="Apache-2.0")
    assert facet_values(artifact) == {
        ("kind", "model"),
        ("organization", artifact.contributions.get().organization.slug),
        ("license", "Apache-2.0"),
        ("license_category", "Permissive"),
        ("commercial_use", "true"),
    }
    artifact.tasks.add(Task.objects.create(slug="running", name="Running"))
    artifact.tags.add(Tag.objects.create(slug="flightless"))
    for component in CLASS_II:  # under the entry's Apache-2.0: Class II
        OpennessComponent.objects.create(artifact=artifact, component=component)
    assert {("task", "running"), ("tag", "flightless"), ("openness_class", "II")} <= (
        facet_values(artifact)
    )
    apache = License.objects.get(key="Apache-2.0")
    apache.commercial_use = False
    apache.save()
    assert ("commercial_use", "false") in facet_values(artifact)
    Tag.objects.get(slug="flightless").delete()
    assert ("tag", "flightless") not in facet_values(artifact)
    assert check_index().ok


@pytest.mark.parametrize(
    "damage",
    [
        lambda a: ArtifactFacet.objects.filter(artifact=a, dimension="kind").update(value="tool"),
        lambda a: ArtifactFacet.objects.filter(artifact=a, dimension="license").delete(),
        lambda a: ArtifactFacet.objects.create(artifact=a, dimension="task", value="summarization"),
    ],
    ids=["changed", "missing", "extra"],
)
def test_the_check_sees_facet_values_out_of_date_and_rebuild_repairs_them(damage):
    artifact = entry("cassowary", "Cassowary", license="Apache-2.0")
    damage(artifact)
    assert check_index().stale == [artifact.repo_id]
    with pytest.raises(CommandError, match="out of date"):
        call_command("rebuild_search_index", "--check")
    call_command("rebuild_search_index")
    assert check_index().ok


# ------------------------------------------------------------------------------
# rebuild_search_index
# ------------------------------------------------------------------------------
def _corrupt(artifact: Artifact) -> None:
    ArtifactSearchDocument.objects.filter(artifact=artifact).update(name="stale")


def test_check_passes_on_a_true_index(capsys):
    entry("kiwi", "Kiwi")
    call_command("rebuild_search_index", "--check")
    assert "in sync" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_corrupt, "out of date"),
        (lambda a: ArtifactSearchDocument.objects.filter(artifact=a).delete(), "without"),
    ],
)
def test_check_fails_on_a_stale_index_and_rebuild_repairs_it(damage, message):
    artifact = entry("takahe", "Takahe")
    damage(artifact)
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_search_index", "--check")
    call_command("rebuild_search_index")
    call_command("rebuild_search_index", "--check")
    assert search_ids("takahe") == [artifact.repo_id]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_check_sees_an_fts_index_out_of_step_with_its_documents():

    entry("kakapo", "Kakapo")
    assert check_index().ok
    with connection.cursor() as cursor:  # a write that bypasses the triggers
        cursor.execute("DROP TRIGGER catalog_search_fts_update")
        cursor.execute("UPDATE catalog_artifactsearchdocument SET description = 'kea'")
    assert "FTS5" in check_index().index_problem


# ------------------------------------------------------------------------------
# generate_catalog
# ------------------------------------------------------------------------------
def _snapshot() -> list[tuple]:
    return list(
        Artifact.objects.order_by("namespace", "slug").values_list(
            "namespace",
            "slug",
            "kind",
            "name",
            "summary",
            "description",
            "released_on",
            "license_expression",
            "status",
        )
    )


def test_generate_catalog_is_deterministic_and_indexed():
    snapshots = []
    for _ in range(2):
        with transaction.atomic():
            call_command("generate_catalog", "--artifacts", "120", "--seed", "7")
            snapshots.append(_snapshot())
            assert Artifact.objects.count() == 120
            call_command("rebuild_search_index", "--check")
            transaction.set_rollback(True)
    assert snapshots[0] == snapshots[1]
    with transaction.atomic():
        call_command("generate_catalog", "--artifacts", "120", "--seed", "8")
        assert _snapshot() != snapshots[0]
        transaction.set_rollback(True)


def test_generate_catalog_refuses_a_second_run():
    call_command("generate_catalog", "--artifacts", "5", "--seed", "1")
    with pytest.raises(CommandError, match="fresh database"):
        call_command("generate_catalog", "--artifacts", "5", "--seed", "1")


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_each_engine_answers_the_search_engine_interface(vendor):
    """Every method of the SearchEngine protocol, with the same parameters, on both."""
    import inspect

    from catalog.search import backends

    engine = backends.for_vendor(vendor)
    assert isinstance(engine, backends.SearchEngine)
    methods = [
        name
        for name, member in vars(backends.SearchEngine).items()
        if callable(member) and not name.startswith("_")
    ]
    assert {"match", "match_some", "query_sql", "check_index"} <= set(methods)
    for name in methods:
        expected = inspect.signature(getattr(backends.SearchEngine, name)).parameters
        actual = inspect.signature(getattr(type(engine), name)).parameters
        assert list(actual) == list(expected), name


def test_the_migration_installs_the_index_the_backends_describe():
    """Migration 0002 keeps its own copy of the SQL; it must match what a rebuild installs."""
    import importlib

    from catalog.search.backends import PostgresSearch, SqliteSearch

    migration = importlib.import_module("catalog.migrations.0002_search")

    def words(statements):
        return [" ".join(statement.split()) for statement in statements]

    for backend in (SqliteSearch, PostgresSearch):
        assert words(migration.INSTALL_SQL[backend.vendor]) == words(backend.install_sql)
        assert words(migration.UNINSTALL_SQL[backend.vendor]) == words(backend.uninstall_sql)


def test_the_migration_installs_the_vocabulary_the_search_describes():
    import importlib

    from catalog.search import vocabulary

    migration = importlib.import_module("catalog.migrations.0009_search_vocabulary_and_name_order")
    assert migration.VOCABULARY_INSTALL_SQL == vocabulary.INSTALL_SQL
    assert migration.VOCABULARY_UNINSTALL_SQL == vocabulary.UNINSTALL_SQL


# ------------------------------------------------------------------------------
# Reading: what the words ask for, the same on both engines.
# ------------------------------------------------------------------------------
READINGS = [
    # (text, kind given, kinds, ignored, words matched as text)
    ("datasets for geospatial work", False, ("dataset",), ("for",), ["geospatial", "work"]),
    ("Meta permissive models", False, ("model",), (), ["Meta", "permissive"]),
    ("Meta permissive models", True, (), (), ["Meta", "permissive"]),
    ("models and datasets", False, ("model", "dataset"), ("and",), []),
    ("attacks on models", False, (), ("on",), ["attacks", "models"]),
    ("dataset metadata format", False, (), (), ["dataset", "metadata", "format"]),
    ("Arabic language model", False, ("model",), (), ["Arabic", "language"]),
    ('"the stack"', False, (), (), []),  # a phrase keeps its words
    ("the of and", False, (), ("the", "of", "and"), []),
    ("llama -the", False, (), ("-the",), ["llama"]),
]


@pytest.mark.parametrize(("text", "kind_given", "kinds", "ignored", "words"), READINGS)
def test_reading(text, kind_given, kinds, ignored, words):
    from catalog.search.reading import read_query

    reading = read_query(parse_query(text), kind_given=kind_given)
    assert reading.kinds == kinds
    assert reading.ignored == ignored
    assert reading.query.words == words


@pytest.mark.parametrize(
    ("text", "variant"),
    [
        ("llama2", [Term("llama 2", phrase=True, prefix=True)]),
        ("llama 2", [Term("llama2")]),
        ("llama-2 chat", [Term("llama2"), Term("chat", prefix=True)]),
        ("gpt-4-turbo", [Term("gpt4 turbo", phrase=True, prefix=True)]),
        ("7b", None),  # a single letter is no word of a name
        ("stable diffusion", None),
    ],
)
def test_names_joined_and_apart_are_variants(text, variant):
    from catalog.search.reading import read_query

    variants = read_query(parse_query(text), kind_given=False).query.variants
    if variant is None:
        assert variants == ()
    else:
        assert [clause[0] for clause in variants[0].clauses] == variant


@pytest.mark.parametrize(
    ("name", "typed"),
    [("Zorbo 2", "zorbo2"), ("Zorbo 2", "Zorbo-2"), ("Quxa3", "quxa 3"), ("Quxa3", "quxa-3")],
)
def test_names_match_joined_or_apart_on_both_engines(name, typed):
    entry("the-entry", name)
    entry("other", "Zorbo Quxa")  # both words, apart from any digit
    assert search_ids(typed)[0] == f"{Artifact.objects.get(slug='the-entry')}"


@pytest.mark.parametrize(
    ("written", "typed"),
    [("LLM", "LLMs zorbo"), ("LLMs", "LLM zorbo"), ("GPU", "GPUs zorbo")],
)
def test_a_plural_matches_its_singular_on_both_engines(written, typed):
    # PostgreSQL's English stemmer keeps the s of `LLMs` (no vowel before it); FTS5's
    # Porter stemmer drops it. A researcher gets the same answer on either: every word
    # matched, not the fallback to entries holding some of them.
    entry("the-entry", f"Zorbo {written} serving engine")
    entry("other", "Zorbo engine")
    result = run_search(q(typed), AnonymousUser())
    assert [a.repo_id for a in result.artifacts] == [f"{Artifact.objects.get(slug='the-entry')}"]
    assert result.interpretation.match == "all"


def test_an_entry_about_a_word_outranks_one_mentioning_it_in_passing():
    # Both engines rank by the share of the text the words take, not their bare count.
    entry("about", "Quxa", description="A zorbo library.")
    passing = " ".join(["Many other words describe this tool at length."] * 30)
    entry("passing", "Flurb", description=f"Zorbo, zorbo: {passing} It reads zorbo files.")
    assert search_ids("zorbo")[0] == f"{Artifact.objects.get(slug='about')}"


def test_a_new_entrys_words_are_suggested_and_survive_a_rebuild():
    entry("flurbington", "Flurbington Tokenizer")
    result = run_search(q("flurbingtn"), AnonymousUser())
    assert result.interpretation.did_you_mean == "flurbington"
    assert [a.slug for a in result.artifacts] == ["flurbington"]
    call_command("rebuild_search_index")
    assert run_search(q("flurbingtn"), AnonymousUser()).interpretation.did_you_mean == "flurbington"


def test_a_suggestion_that_finds_nothing_now_is_not_offered():
    entry("flurbington", "Flurbington Tokenizer").delete()  # its word stays in the vocabulary
    result = run_search(q("flurbingtn"), AnonymousUser())
    assert result.count == 0
    assert not result.interpretation.corrected
    assert result.interpretation.did_you_mean == ""


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("graniet", "granite", 1),
        ("geospacial", "geospatial", 1),
        ("lama", "llama", 1),
        ("granite", "granite", 0),
        ("abc", "xyz", 3),
    ],
)
def test_edit_distance_counts_a_swap_as_one(a, b, distance):
    from catalog.search.vocabulary import edit_distance

    assert edit_distance(a, b) == distance
