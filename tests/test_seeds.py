"""The real catalog: loaded whole, faithful to the researched facts, idempotent, and
all-or-nothing when a record is bad."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db.models import Count

from catalog.models import (
    Artifact,
    ArtifactStatus,
    ContributionRole,
    License,
    Organization,
    Relation,
    Source,
    Tag,
)
from catalog.seeding import SEEDS_DIR, SeedError, load_seeds

FACTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "alliance_facts.yaml"
# Sources the facts cite that turned out not to back the claim (facts-audit.md).
REFUTED_SOURCES = {
    # A hackathon page with no models, not Apertus's release.
    "https://huggingface.co/HackApertus",
}
CATALOG_MODELS = (
    "catalog.organization",
    "catalog.artifact",
    "catalog.contribution",
    "catalog.relation",
    "catalog.source",
    "catalog.modelvariant",
    "catalog.license",
    "catalog.opennesscomponent",
    "catalog.tag",
)


def seeded_entries() -> dict[str, int]:
    """How many entries of each kind the seed files hold, read from the files themselves."""
    counts = {}
    for kind, filename in (
        ("model", "models.yaml"),
        ("dataset", "datasets.yaml"),
        ("tool", "tools.yaml"),
    ):
        counts[kind] = len(yaml.safe_load((SEEDS_DIR / filename).read_text()) or [])
    return counts


def snapshot() -> str:
    """Everything the catalog holds, as text, to compare before and after."""
    from django.apps import apps

    objects = []
    for label in CATALOG_MODELS:
        objects.extend(apps.get_model(label).objects.order_by("pk"))
    return serializers.serialize("json", objects)


def history_count() -> int:
    return Artifact.history.count() + Organization.history.count()


@pytest.mark.django_db
def test_a_second_load_changes_nothing():
    load_seeds()
    before, before_history = snapshot(), history_count()
    report = load_seeds()
    assert not report.changed
    assert snapshot() == before
    assert history_count() == before_history


@pytest.mark.django_db
def test_the_command_reports_what_it_did():
    from io import StringIO

    total = sum(seeded_entries().values())
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert f"entries: {total} created, 0 updated, 0 deleted, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("load_seeds", stdout=out)
    assert f"entries: 0 created, 0 updated, 0 deleted, {total} unchanged" in out.getvalue()
    assert "nothing changed" in out.getvalue()


def broken_copy(tmp_path: Path, filename: str, record_id: str, field: str, value) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, copy)
    records = yaml.safe_load((copy / filename).read_text())
    record = next(r for r in records if r.get("id", r.get("slug")) == record_id)
    record[field] = value
    (copy / filename).write_text(yaml.safe_dump(records, sort_keys=False))
    return copy


def report_counts(text: str) -> dict[str, dict[str, int]]:
    """{'artifacts': {'created': 60, ...}, ...} from the command's output."""
    import re

    counts = {}
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z ]+): (.+)", line)
        if not match or "," not in match[2]:
            continue
        counts[match[1]] = {
            state: int(number) for number, state in (part.split() for part in match[2].split(", "))
        }
    return counts


@pytest.mark.django_db
def test_the_counts_say_what_happened_on_a_first_and_a_second_run():
    from io import StringIO

    out = StringIO()
    call_command("load_seeds", stdout=out)
    first = report_counts(out.getvalue())
    assert first, out.getvalue()
    for name, states in first.items():
        # An empty database has nothing to leave unchanged, update or delete.
        assert states["created"] > 0, (name, states)
        assert states["unchanged"] == states["updated"] == states["deleted"] == 0, (name, states)
    assert first["licenses"]["created"] == License.objects.count()
    assert first["entries"]["created"] == Artifact.objects.count()
    assert first["entry licenses"]["created"] == Artifact.licenses.through.objects.count()
    assert first["tags"]["created"] == Tag.objects.count()
    out = StringIO()
    call_command("load_seeds", stdout=out)
    second = report_counts(out.getvalue())
    assert set(second) == set(first)
    for name, states in second.items():
        assert states["created"] == states["updated"] == states["deleted"] == 0, (name, states)
        assert states["unchanged"] == first[name]["created"], (name, states)


@pytest.mark.django_db
def test_a_removed_link_is_counted_as_deleted(tmp_path, seeded):
    from io import StringIO

    seeds = broken_copy(tmp_path, "models.yaml", "snowflake/snowflake-arctic", "tags", [])
    report = load_seeds(seeds)
    assert report.deleted["entry tags"] > 0
    assert report.created["entry tags"] == 0
    out = StringIO()
    call_command("load_seeds", seeds_dir=seeds, stdout=out)
    assert "nothing changed" in out.getvalue()


BAD_RECORDS = [
    (
        "tools.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "license",
        "Apache-2.0 AND Bogus-1.0",
        "Unknown license key(s): Bogus-1.0",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "released",
        "April 2024",
        "is not a date",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "tasks",
        ["mind-reading"],
        "unknown tasks: mind-reading",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "contributors",
        ["nobody"],
        "no organization 'nobody'",
    ),
    (
        "models.yaml",
        "meta/code-llama",
        "models.yaml",
        "lineage",
        [{"type": "trained_on", "target": "meta/llama-2"}],
        "must point to a dataset",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "links",
        {"huggingface": "https://huggingface.co/x"},
        "Hugging Face repo id",
    ),
    ("models.yaml", "snowflake/snowflake-arctic", "models.yaml", "summary", "", "is required text"),
    ("models.yaml", "snowflake/snowflake-arctic", "models.yaml", "colour", "blue", "unknown field"),
    # A version YAML reads as the number 3.1 would be stored as "3.1".
    ("models.yaml", "snowflake/snowflake-arctic", "models.yaml", "version", 3.10, "quote it"),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "dataset",
        {"formats": ["parquet"]},
        "only a dataset has a 'dataset' block",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "model",
        {"variants": [{"name": "480B", "parameters": "480B"}]},
        "must be a whole number",
    ),
    # An unquoted comma once cut a name in two: the tail became a key of its own.
    (
        "models.yaml",
        "meta/code-llama",
        "models.yaml",
        "lineage",
        [{"type": "trained_on", "external": {"name": "The Pile (extended", "1.5T)": None}}],
        "unknown field",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "evidence",
        {"license": "https://example.org/not-a-source"},
        "is not among the record's sources",
    ),
    (
        "models.yaml",
        "snowflake/snowflake-arctic",
        "models.yaml",
        "openness",
        [{"component": "model_card", "license": "MIT", "unlicensed": True}],
        "a component without a license names none",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "record_id", "reported_file", "field", "value", "message"),
    [(f if f != "tools.yaml" else "models.yaml", *rest) for f, *rest in BAD_RECORDS],
    ids=[f"{case[3]}-{case[5][:20]}" for case in BAD_RECORDS],
)
def test_a_bad_record_changes_nothing_and_says_where(
    tmp_path, seeded, filename, record_id, reported_file, field, value, message
):
    # The seeded catalog as a real load leaves it (restored from one load per process).
    before = snapshot()
    seeds = broken_copy(tmp_path, filename, record_id, field, value)
    with pytest.raises(SeedError) as caught:
        load_seeds(seeds)
    error = caught.value
    assert (error.file, error.record) == (reported_file, record_id)
    assert error.field.split("[")[0].split(".")[0] == field
    assert message in error.message
    assert snapshot() == before


@pytest.mark.django_db
def test_a_bad_record_on_an_empty_database_leaves_it_empty(tmp_path):
    seeds = broken_copy(tmp_path, "models.yaml", "snowflake/snowflake-arctic", "license", "Nope")
    with pytest.raises(
        CommandError,
        match=r"Nothing was loaded\. models\.yaml, record "
        r"'snowflake/snowflake-arctic', field 'license'",
    ):
        call_command("load_seeds", seeds_dir=seeds)
    assert not Organization.objects.exists()
    assert not Artifact.objects.exists()
    assert not License.objects.exists()


@pytest.mark.django_db
def test_a_load_leaves_the_planner_statistics_of_what_it_wrote():
    """Without them SQLite reads a page by name through the status index and sorts the
    whole catalog, instead of walking the index in that order (catalog.planner)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")  # as on a fresh database
    load_seeds()
    entries = Artifact.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'artifact_reading_order'")
            assert int(cursor.fetchone()[0].split()[0]) == entries
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_artifact'")
            assert cursor.fetchone()[0] == entries


@pytest.mark.django_db
def test_malformed_yaml_is_reported(tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    (seeds / "tools.yaml").write_text("- id: [unclosed\n")
    with pytest.raises(SeedError, match=r"tools\.yaml.*not valid YAML"):
        load_seeds(seeds)
    assert not Artifact.objects.exists()


@pytest.mark.usefixtures("seeded_catalog")
@pytest.mark.django_db
class TestTheSeededCatalog:
    def test_holds_every_member_and_contribution_published(self):
        assert Organization.objects.count() == 60
        # 60 contributions from the researched facts, and entries added since from primary
        # sources (at the end of each seed file): every record of every seed file, published.
        per_kind = seeded_entries()
        assert Artifact.objects.count() == sum(per_kind.values())
        assert Artifact.objects.published().count() == sum(per_kind.values())
        assert (
            dict(
                Artifact.objects.values_list("kind")
                .annotate(n=Count("pk"))
                .values_list("kind", "n")
            )
            == per_kind
        )
        assert set(Artifact.objects.values_list("status", flat=True)) == {ArtifactStatus.PUBLISHED}
        # The catalog's size goal (issue 15): at least 200 published entries, 40 of each kind.
        assert sum(per_kind.values()) >= 200
        assert min(per_kind.values()) >= 40

    def test_every_artifact_has_one_lead_matching_its_namespace_and_sources(self):
        for artifact in Artifact.objects.prefetch_related("contributions__organization"):
            leads = [c for c in artifact.contributions.all() if c.role == ContributionRole.LEAD]
            assert len(leads) == 1, artifact
            assert leads[0].organization.slug == artifact.namespace
        assert not Artifact.objects.filter(sources__isnull=True).exists()
        assert Source.objects.count() >= 60

    @pytest.mark.parametrize(
        ("source", "relation_type", "target"),
        [
            ("meta/code-llama", "fine_tuned_from", "meta/llama-2"),
            ("epfl/meditron", "fine_tuned_from", "meta/llama-2"),
            ("hugging-face/starcoder", "trained_on", "hugging-face/the-stack"),
            ("cerebras/slimpajama-627b", "derived_from", "together-ai/redpajama-data-1t"),
            ("hugging-face/zephyr-7b-beta", "fine_tuned_from", "external:Mistral-7B-v0.1"),
            # From primary sources read since the facts (seeds/README.md).
            ("hugging-face/santacoder", "trained_on", "hugging-face/the-stack"),
            ("silo-ai/poro-34b", "trained_on", "cerebras/slimpajama-627b"),
            ("hugging-face/fineweb", "uses", "hugging-face/datatrove"),
            ("hugging-face/zephyr-7b-beta", "uses", "hugging-face/alignment-handbook"),
            ("databricks/dbrx", "uses", "databricks/llm-foundry"),
            ("databricks/llm-foundry", "uses", "databricks/composer"),
            ("hugging-face/peft", "uses", "hugging-face/accelerate"),
            ("hugging-face/accelerate", "uses", "hugging-face/safetensors"),
            ("hugging-face/zephyr-7b-beta", "trained_on", "hugging-face/ultrachat-200k"),
            ("hugging-face/zephyr-7b-beta", "trained_on", "hugging-face/ultrafeedback-binarized"),
            ("intel/neuralchat-7b-v3-1", "trained_on", "intel/orca-dpo-pairs"),
            ("meta/segment-anything", "trained_on", "meta/sa-1b"),
            ("hugging-face/fineweb-edu", "derived_from", "hugging-face/fineweb"),
            ("ibm/granite-3.1-language-models", "derived_from", "ibm/granite-3.0-language-models"),
            ("meta/llama-3.2", "distilled_from", "meta/llama-3.1"),
            ("meta/sam-2", "trained_on", "meta/sa-v"),
            ("hugging-face/smollm2", "trained_on", "hugging-face/fineweb-edu"),
            ("ibm/granite-guardian-3.1", "fine_tuned_from", "ibm/granite-3.1-language-models"),
            ("meta/llama-guard-3", "fine_tuned_from", "meta/llama-3.1"),
            ("meta/llama-guard-2", "fine_tuned_from", "meta/llama-3"),
            ("ibm/granite-vision-3.2", "fine_tuned_from", "ibm/granite-3.1-language-models"),
            ("ibm/granite-speech", "uses", "hugging-face/peft"),
            ("ibm/granite-tsfm", "uses", "hugging-face/datasets"),
            ("ibm/granite-vision-3.3", "derived_from", "ibm/granite-vision-3.2"),
            ("ibm/granite-guardian-3.3", "fine_tuned_from", "ibm/granite-3.3-language-models"),
            ("meta/belebele", "derived_from", "meta/flores-200"),
            ("mbzuai/lamini-lm", "fine_tuned_from", "cerebras/cerebras-gpt"),
            ("mbzuai/lamini-lm", "trained_on", "mbzuai/lamini-instruction"),
            ("hugging-face/idefics2", "trained_on", "hugging-face/obelics"),
            ("sakana-ai/evollm-jp-v1-10b", "merged_from", "sakana-ai/evollm-jp-v1-7b"),
            ("servicenow/tapeagents", "uses", "servicenow/browsergym"),
            ("hugging-face/open-r1", "uses", "hugging-face/trl"),
            ("meta/detectron2", "uses", "meta/hydra"),
            ("mlcommons/medperf", "uses", "mlcommons/mlcube"),
        ],
    )
    def test_lineage_the_facts_state(self, source, relation_type, target):
        relations = Relation.objects.filter(
            source=Artifact.objects.get_by_id(source), relation_type=relation_type
        )
        if target.startswith("external:"):
            assert relations.filter(external_name=target.removeprefix("external:")).exists()
        else:
            assert relations.filter(target=Artifact.objects.get_by_id(target)).exists()

    @pytest.mark.parametrize(
        ("artifact_id", "expression", "category", "commercial_use"),
        [
            ("meta/llama-2", "LicenseRef-scancode-llama-2-license-2023", "Proprietary Free", True),
            ("ibm/instructlab", "Apache-2.0 AND MIT", "Permissive", True),
            (
                "hugging-face/bloom",
                "LicenseRef-scancode-bigscience-rail-1.0",
                "Proprietary Free",
                True,
            ),
            ("ibm/docling", "MIT", "Permissive", True),
            # The Stack v2's own terms: commercial use depends on each file's license.
            (
                "hugging-face/the-stack-v2",
                "LicenseRef-alliance-the-stack-v2-terms",
                "Proprietary Free",
                None,
            ),
        ],
    )
    def test_licenses_with_categories_and_flags(
        self, artifact_id, expression, category, commercial_use
    ):
        artifact = Artifact.objects.get_by_id(artifact_id)
        assert artifact.license_expression == expression
        for license in artifact.licenses.all():
            assert license.category == category
            assert license.commercial_use is commercial_use

    def test_no_unconfirmed_value_is_published(self):
        text_fields = {
            Organization: ["name", "full_name", "kind", "country", "website", "description"],
            Artifact: [
                "name",
                "summary",
                "description",
                "version",
                "license_expression",
                "license_note",
                "homepage_url",
                "repository_url",
                "huggingface_repo_id",
                "paper_url",
                "architecture",
            ],
        }
        for model, fields in text_fields.items():
            for row in model.objects.values(*fields):
                for name, value in row.items():
                    assert not str(value).rstrip().endswith("?"), (model.__name__, name, value)

    def test_unconfirmed_values_are_kept_apart(self):
        fast_ai = Organization.objects.get(slug="fast-ai")
        assert fast_ai.kind == ""
        assert fast_ai.unverified["kind"] == "research institute"
        sam = Artifact.objects.get_by_id("meta/segment-anything")
        assert not sam.variants.exists()
        assert "636M" in sam.unverified["parameters"]


@pytest.mark.skipif(not FACTS.exists(), reason=f"the researched facts are not at {FACTS}")
def test_the_seeds_follow_the_researched_facts():
    facts = yaml.safe_load(FACTS.read_text())
    organizations = yaml.safe_load((SEEDS_DIR / "organizations.yaml").read_text())
    assert [o["name"] for o in organizations] == [o["name"] for o in facts["organizations"]]
    slug_by_name = {o["name"]: o["slug"] for o in organizations}
    records = {}
    for filename in ("models.yaml", "datasets.yaml", "tools.yaml"):
        for record in yaml.safe_load((SEEDS_DIR / filename).read_text()):
            records[record["name"]] = (filename, record)
    assert len(facts["contributions"]) == 60
    facts_names = {fact["name"] for fact in facts["contributions"]}
    # Records beyond the facts were added from primary sources read since: each says
    # which source confirms its license (a license with no key is named in license_note).
    for name, (_filename, record) in records.items():
        if name not in facts_names:
            assert record["license"] or record["license_note"], name
            assert "license" in (record.get("evidence") or {}), name
    for fact in facts["contributions"]:
        filename, record = records[fact["name"]]
        assert filename == f"{fact['kind']}s.yaml"
        slugs = [slug_by_name[name] for name in fact["organizations"]]
        assert record["id"].split("/")[0] == slugs[0], fact["name"]
        assert (record.get("contributors") or []) == slugs[1:], fact["name"]
        # The seeds keep the facts' sources in order (less any the audit refuted) and may
        # add the primary sources that confirmed a claim since.
        kept = [url for url in fact["sources"] if url not in REFUTED_SOURCES]
        assert record["sources"][: len(kept)] == kept, fact["name"]
        for field, seed_field in (
            ("release_date", "released"),
            ("license", "license"),
            ("parameters", "parameters"),
        ):
            value = str(fact.get(field) or "")
            if value.endswith("?") and value != "?":
                # Still unconfirmed, or confirmed since with the source that says so.
                assert seed_field in (record.get("unverified") or {}) or seed_field in (
                    record.get("evidence") or {}
                ), (fact["name"], field)
