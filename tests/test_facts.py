"""The seeded facts hold up: confirmed claims carry their source, unconfirmed ones are
kept apart and shown in plain words, and `check_facts` finds every kind of problem."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from catalog.facts import check_facts
from catalog.models import Artifact, ArtifactKind
from catalog.seeding import SEEDS_DIR

# Entries whose repository has a license file: the license is a fact, with its source.
CONFIRMED_LICENSES = {
    "hugging-face/transformers": (
        "Apache-2.0",
        "https://github.com/huggingface/transformers/blob/"
        "000d7f8a8209ae0d3c3744cd1ea67258acb34013/setup.py",
    ),
    "uc-berkeley-cdss/vllm": (
        "Apache-2.0",
        "https://github.com/vllm-project/vllm/blob/e0e14a824238524d8336232de49190be22796a54/setup.py",
    ),
    "fast-ai/fastai": (
        "Apache-2.0",
        "https://github.com/fastai/fastai/blob/01a4363580215440771df4d273ce34c9dd7e46a7/settings.ini",
    ),
    "mlcommons/mlperf": (
        "Apache-2.0",
        "https://github.com/mlcommons/inference/blob/"
        "b66003e10e2db4b8c36a448b0545ec90fcc6e9e9/LICENSE.md",
    ),
    "hugging-face/santacoder": (
        "LicenseRef-scancode-bigcode-open-rail-m-v1",
        "https://huggingface.co/bigcode/santacoder/blob/"
        "132eb6b6cedaf579c2f333f1ecd78a16d7e45978/README.md",
    ),
    "databricks/databricks-dolly-15k": (
        "CC-BY-SA-3.0",
        "https://huggingface.co/datasets/databricks/databricks-dolly-15k/blob/main/README.md",
    ),
    # Licenses no SPDX id names: the catalog's own keys, defined in fixtures/licenses.yaml.
    "hugging-face/the-stack-v2": (
        "LicenseRef-alliance-the-stack-v2-terms",
        "https://huggingface.co/datasets/bigcode/the-stack-v2",
    ),
    "together-ai/redpajama-data-v2": (
        "LicenseRef-alliance-common-crawl-terms-of-use AND Apache-2.0",
        "https://github.com/togethercomputer/RedPajama-Data/blob/"
        "180d189a191c639a7462ef3631de3da665235f8f/README.md",
    ),
    "mlcommons/croissant": (
        "CC-BY-ND-4.0 AND Apache-2.0",
        "https://github.com/mlcommons/croissant/blob/021fac6defda204f14f813c9fb68da58bc71210b/README.md",
    ),
}


@pytest.mark.usefixtures("seeded_catalog")
@pytest.mark.django_db
class TestConfirmedClaims:
    @pytest.mark.parametrize(("artifact_id", "expected"), CONFIRMED_LICENSES.items())
    def test_a_confirmed_license_is_a_fact_with_its_source(self, artifact_id, expected):
        expression, source = expected
        artifact = Artifact.objects.get_by_id(artifact_id)
        assert artifact.license_expression == expression
        assert "license" not in artifact.unverified
        assert artifact.sources.filter(url=source).exists()

    def test_no_unverified_license_where_the_repository_has_a_license_file(self):
        with_repository = Artifact.objects.exclude(repository_url="").exclude(
            repository_url__startswith="https://huggingface.co/"
        )
        unconfirmed = [a.repo_id for a in with_repository if "license" in a.unverified]
        assert unconfirmed == [], unconfirmed

    def test_audit_corrections(self):
        santacoder = Artifact.objects.get_by_id("hugging-face/santacoder")
        assert santacoder.released_display == "2022-12"
        assert santacoder.paper_url == "https://arxiv.org/abs/2301.03988"
        assert santacoder.relations.filter(
            relation_type="trained_on", target__slug="the-stack"
        ).exists()
        fineweb = Artifact.objects.get_by_id("hugging-face/fineweb")
        assert "datatrove" not in fineweb.repository_url
        apertus = Artifact.objects.get_by_id("epfl/apertus")
        assert not apertus.sources.filter(url__contains="HackApertus").exists()
        poro = Artifact.objects.get_by_id("silo-ai/poro-34b")
        assert poro.relations.filter(target__slug="slimpajama-627b").exists()
        assert Artifact.objects.get_by_id("amd/amd-olmo-1b").released_display == "2024-10"


@pytest.mark.usefixtures("seeded_catalog")
@pytest.mark.django_db
class TestThePageSaysWhatIsReported:
    def test_a_reported_license_reads_as_reported_not_as_a_refusal(self, client):
        # No seeded entry has an unconfirmed license any more, so one is made.
        from tests.factories import make_artifact

        claim = "Common Crawl Terms of Use (data)"
        artifact = make_artifact(kind=ArtifactKind.DATASET, unverified={"license": claim})
        body = client.get(artifact.get_absolute_url()).content.decode()
        assert f"Reported as {claim}; not yet confirmed from its source." in body
        assert "may not assume" not in body

    def test_a_per_component_license_is_shown_as_such(self, client):
        artifact = Artifact.objects.get_by_id("amd/rocm")
        body = client.get(artifact.get_absolute_url()).content.decode()
        assert f"License: {artifact.license_note}" in body
        assert "No license is recorded" not in body

    def test_an_unconfirmed_date_is_reported_in_plain_words(self, client):
        artifact = Artifact.objects.get_by_id("hugging-face/transformers")
        body = client.get(artifact.get_absolute_url()).content.decode()
        assert "Reported as 2018-11; not yet confirmed from its source." in body


# --- Countries ---------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded_catalog")
@pytest.mark.django_db
class TestCountriesInOneVocabulary:
    def test_every_seeded_country_is_an_iso_code(self):
        from catalog.countries import COUNTRY_NAMES
        from catalog.models import Organization

        countries = set(Organization.objects.exclude(country="").values_list("country", flat=True))
        assert countries
        assert countries <= set(COUNTRY_NAMES), countries - set(COUNTRY_NAMES)
        assert Organization.objects.get(slug="epfl").country == "CH"

    def test_pages_show_the_name_and_the_api_both(self, client):
        from catalog.models import Organization

        epfl = Organization.objects.get(slug="epfl")
        assert epfl.country_name == "Switzerland"
        body = client.get(epfl.get_absolute_url()).content.decode()
        assert "<li>Switzerland</li>" in body
        row = client.get("/api/v1/organizations/epfl/").json()
        assert (row["country"], row["country_name"]) == ("CH", "Switzerland")


@pytest.mark.django_db
def test_a_country_outside_the_vocabulary_is_refused():
    from django.core.exceptions import ValidationError

    from tests.factories import make_organization

    organization = make_organization()
    organization.country = "Switzerland"
    with pytest.raises(ValidationError, match="ISO 3166-1 alpha-2"):
        organization.full_clean()


# --- check_facts -------------------------------------------------------------------------


def broken_seeds(tmp_path, filename: str, record_id: str, change) -> Path:
    """A copy of the seeds with one record changed by `change(record)`."""
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, copy)
    records = yaml.safe_load((copy / filename).read_text())
    change(next(r for r in records if r.get("id", r.get("slug")) == record_id))
    (copy / filename).write_text(yaml.safe_dump(records, sort_keys=False))
    return copy


def _set(**values):
    return lambda record: record.update(values)


BROKEN = [
    ("no source", "tools.yaml", "amd/rocm", _set(sources=[]), "sources", "no source"),
    (
        "evidence outside the sources",
        "tools.yaml",
        "fast-ai/fastai",
        _set(evidence={"license": "https://example.org/elsewhere"}),
        "evidence.license",
        "not among the record's sources",
    ),
    (
        "an unverified license shown as fact",
        "datasets.yaml",
        "together-ai/redpajama-data-v2",
        _set(license="Apache-2.0", unverified={"license": "Apache-2.0"}),
        "license",
        "shown as fact",
    ),
    (
        "an unverified month shown as fact",
        "tools.yaml",
        "meta/pytorch",
        _set(released="2016-09"),
        "released",
        "shown as fact",
    ),
    (
        "a question mark",
        "models.yaml",
        "snowflake/snowflake-arctic",
        _set(version="480B?"),
        "version",
        "ends with '?'",
    ),
    (
        "a lineage edge of the wrong kind",
        "models.yaml",
        "meta/code-llama",
        lambda r: r["lineage"].append({"type": "trained_on", "target": "meta/llama-2"}),
        "lineage[",
        "must point to a dataset",
    ),
    (
        "a lineage edge to nothing",
        "models.yaml",
        "meta/code-llama",
        lambda r: r["lineage"].append({"type": "fine_tuned_from", "target": "meta/llama-9"}),
        "lineage[",
        "no entry 'meta/llama-9'",
    ),
    (
        "a license that does not resolve",
        "models.yaml",
        "snowflake/snowflake-arctic",
        _set(license="Apache-2.0 AND Bogus-1.0"),
        "license",
        "Bogus-1.0",
    ),
    (
        "an openness license that does not resolve",
        "models.yaml",
        "epfl/apertus",
        lambda r: r["openness"][0].update(license="Nope-1.0"),
        "openness[0].license",
        "Nope-1.0",
    ),
    (
        "a Hugging Face URL for an id",
        "models.yaml",
        "snowflake/snowflake-arctic",
        lambda r: r["links"].update(huggingface="https://huggingface.co/Snowflake/arctic"),
        "links.huggingface",
        "not a Hugging Face repo id",
    ),
    (
        "a key the seed schema does not know",
        "models.yaml",
        "meta/code-llama",
        lambda r: r["lineage"].append(
            {"type": "trained_on", "external": {"name": "x", "y)": None}}
        ),
        "lineage[",
        "unknown field",
    ),
    (
        "a later member without entries",
        "organizations.yaml",
        "partnership-on-ai",
        _set(founding_member=False),
        "founding_member",
        "has no entry",
    ),
    (
        "a country outside the vocabulary",
        "organizations.yaml",
        "epfl",
        _set(country="Switzerland"),
        "country",
        "not an ISO 3166-1 alpha-2 code",
    ),
]


@pytest.mark.django_db
def test_the_seeds_pass_the_facts_check():
    report = check_facts()
    assert report.problems == []
    assert report.records["models.yaml"] > 0
    out = StringIO()
    call_command("check_facts", stdout=out)
    assert "The seed facts hold up." in out.getvalue()
    # Founding members without entries are members without listed contributions, not errors.
    assert "a-star" in report.members_without_contributions


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "filename", "record_id", "change", "field", "message"),
    BROKEN,
    ids=[case[0] for case in BROKEN],
)
def test_a_broken_copy_fails_the_check_naming_the_problem(
    tmp_path, case, filename, record_id, change, field, message
):
    seeds = broken_seeds(tmp_path, filename, record_id, change)
    problems = check_facts(seeds).problems
    assert any(
        p.file == filename
        and p.record == record_id
        and p.field.startswith(field)
        and message in p.message
        for p in problems
    ), problems
    err = StringIO()
    with pytest.raises(CommandError, match=r"problems? in the seed facts"):
        call_command("check_facts", seeds_dir=seeds, stderr=err)
    assert f"{filename}, record '{record_id}', field '{field}" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_file", "second_file"),
    [("tools.yaml", "tools.yaml"), ("tools.yaml", "datasets.yaml")],
    ids=["in one file", "across files"],
)
def test_an_id_that_appears_twice_fails_the_check(tmp_path, first_file, second_file):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, copy)
    original = next(
        r for r in yaml.safe_load((copy / first_file).read_text()) if r["id"] == "meta/cyberseceval"
    )
    records = yaml.safe_load((copy / second_file).read_text())
    records.append({**original, "name": "CyberSec Eval (again)"})
    (copy / second_file).write_text(yaml.safe_dump(records, sort_keys=False))
    problems = check_facts(copy).problems
    duplicates = [p for p in problems if p.record == "meta/cyberseceval" and p.field == "id"]
    assert len(duplicates) == 1, problems
    # The files are read in a fixed order: the later occurrence names the earlier one.
    (other,) = ({first_file, second_file} - {duplicates[0].file}) or {first_file}
    assert duplicates[0].file in {first_file, second_file}
    assert f"appears twice: already an entry in {other}" in duplicates[0].message
