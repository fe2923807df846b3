"""The seeded facts hold up: confirmed claims carry their source, unconfirmed ones are
kept apart and shown in plain words, and `check_facts` finds every kind of problem."""

import pytest

from catalog.models import Artifact

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
        # RedPajama-Data-V2's license claim is about its data (Common Crawl's terms), not
        # about the code under the repository's LICENSE; Croissant's is about mlcroissant.
        assert set(unconfirmed) <= {
            "together-ai/redpajama-data-v2",
            "mlcommons/croissant",
        }, unconfirmed

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
        artifact = Artifact.objects.get_by_id("together-ai/redpajama-data-v2")
        body = client.get(artifact.get_absolute_url()).content.decode()
        claim = artifact.unverified["license"]
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
