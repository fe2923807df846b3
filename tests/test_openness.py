"""The Model Openness Framework's rules, as a table of cases."""

import pytest

from catalog.licenses import set_artifact_license
from catalog.models import Component, OpennessComponent
from catalog.openness import (
    CLASS_I,
    CLASS_II,
    CLASS_III,
    NONE,
    OWN,
    RELEASE,
    ComponentLicense,
    assess,
)
from tests.factories import make_artifact

OPEN = "Apache-2.0"
CLOSED = "LicenseRef-scancode-llama-2-license-2023"


def released(components, license=OPEN, unlicensed=False):
    return [(component, True, license, unlicensed) for component in components]


CASES = [
    ("nothing recorded", [], "", "III", CLASS_III),
    (
        "Class III complete",
        released(CLASS_III),
        "III",
        "II",
        tuple(c for c in CLASS_II if c not in CLASS_III),
    ),
    (
        "Class II complete",
        released(CLASS_II),
        "II",
        "I",
        tuple(c for c in CLASS_I if c not in CLASS_II),
    ),
    ("Class I complete", released(CLASS_I), "I", "", ()),
    ("all under a non-open license", released(CLASS_I, CLOSED), "", "III", CLASS_III),
    (
        "weights under a non-open license",
        [
            *released(c for c in CLASS_I if c != Component.FINAL_PARAMETERS),
            (Component.FINAL_PARAMETERS, True, CLOSED, False),
        ],
        "",
        "III",
        (Component.FINAL_PARAMETERS,),
    ),
    (
        "a component recorded but not released",
        [
            *released(c for c in CLASS_III if c != Component.DATA_CARD),
            (Component.DATA_CARD, False, OPEN, False),
        ],
        "",
        "III",
        (Component.DATA_CARD,),
    ),
    (
        "a component without any license",
        [
            *released(c for c in CLASS_III if c != Component.MODEL_CARD),
            (Component.MODEL_CARD, True, "", False),
        ],
        "",
        "III",
        (Component.MODEL_CARD,),
    ),
    (
        "classes are cumulative: Class I parts without Class III",
        released(c for c in CLASS_I if c != Component.EVALUATION_RESULTS),
        "",
        "III",
        (Component.EVALUATION_RESULTS,),
    ),
    (
        "Class II but for one part",
        released(c for c in CLASS_II if c != Component.TRAINING_CODE),
        "III",
        "II",
        (Component.TRAINING_CODE,),
    ),
    (
        "an OR with an open choice counts",
        released(CLASS_III, f"{CLOSED} OR MIT"),
        "III",
        "II",
        tuple(c for c in CLASS_II if c not in CLASS_III),
    ),
]


@pytest.mark.parametrize(
    ("case", "components", "expected", "next_class", "missing"), CASES, ids=[c[0] for c in CASES]
)
def test_classification(case, components, expected, next_class, missing):
    assessment = assess(components)
    assert assessment.openness_class == expected
    assert assessment.next_class == next_class
    assert assessment.missing_for_next == tuple(missing)


def a_model_naming_no_component_license():
    """An Apache-2.0 model whose Class III components name no license of their own."""
    artifact = make_artifact(kind="model", license=OPEN)
    for component in CLASS_III:
        OpennessComponent.objects.create(artifact=artifact, component=component)
    return artifact


# The license a component is under, as the Model Openness Tool decides it: its own, else
# the release's (the entry's license), none when its source says it carries none.
RELEASE_CASES = [
    ("components naming no license take the release's", released(CLASS_III, ""), OPEN, "III"),
    ("a closed release license opens nothing", released(CLASS_III, ""), CLOSED, ""),
    ("no license anywhere counts for nothing", released(CLASS_III, ""), "", ""),
    (
        "a component's own license wins over the release's",
        [
            *released(c for c in CLASS_III if c != Component.FINAL_PARAMETERS),
            (Component.FINAL_PARAMETERS, True, CLOSED, False),
        ],
        OPEN,
        "",
    ),
    (
        "a component said to carry no license does not take the release's",
        [
            *released(c for c in CLASS_III if c != Component.MODEL_CARD),
            (Component.MODEL_CARD, True, "", True),
        ],
        OPEN,
        "",
    ),
    (
        "a research paper stands in for the technical report",
        [
            *released(c for c in CLASS_III if c != Component.TECHNICAL_REPORT),
            (Component.RESEARCH_PAPER, True, OPEN, False),
        ],
        "",
        "III",
    ),
    (
        "a technical report does not stand in for the paper",
        released(c for c in CLASS_I if c != Component.RESEARCH_PAPER),
        "",
        "II",
    ),
]


@pytest.mark.parametrize(
    ("case", "components", "release", "expected"),
    RELEASE_CASES,
    ids=[c[0] for c in RELEASE_CASES],
)
def test_which_license_a_component_is_under(case, components, release, expected):
    assert assess(components, release).openness_class == expected


def test_the_assessment_says_where_each_license_comes_from():
    assessment = assess(
        [
            (Component.MODEL_CARD, True, "", False),
            (Component.DATA_CARD, True, "", True),
            (Component.FINAL_PARAMETERS, True, "MIT", False),
            (Component.DATASETS, False, "", False),
        ],
        OPEN,
    )
    assert assessment.licenses == {
        Component.MODEL_CARD: ComponentLicense(OPEN, RELEASE),
        Component.DATA_CARD: ComponentLicense("", NONE),
        Component.FINAL_PARAMETERS: ComponentLicense("MIT", OWN),
    }
    assert assessment.counted == {Component.MODEL_CARD, Component.FINAL_PARAMETERS}


@pytest.mark.django_db
def test_the_class_follows_the_entry_license():
    artifact = a_model_naming_no_component_license()
    artifact.refresh_from_db()
    assert artifact.openness_class == "III"
    set_artifact_license(artifact, CLOSED)
    artifact.refresh_from_db()
    assert artifact.openness_class == ""
    artifact.license_expression = "MIT"
    artifact.save()
    artifact.refresh_from_db()
    assert artifact.openness_class == "III"


@pytest.mark.django_db
def test_the_database_refuses_a_license_on_a_component_said_to_have_none():
    from django.db import IntegrityError, transaction

    artifact = make_artifact(kind="model")
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError, match="openness_component_unlicensed_has_no_license"),
    ):
        OpennessComponent.objects.create(
            artifact=artifact,
            component=Component.MODEL_CARD,
            license_expression="MIT",
            unlicensed=True,
        )


@pytest.mark.django_db
def test_stored_class_follows_component_writes():
    artifact = make_artifact(kind="model")
    for component in CLASS_III:
        OpennessComponent.objects.create(
            artifact=artifact, component=component, license_expression=OPEN
        )
    artifact.refresh_from_db()
    assert artifact.openness_class == "III"
    OpennessComponent.objects.filter(artifact=artifact, component=Component.MODEL_CARD).delete()
    # A queryset delete sends post_delete for each row too.
    artifact.refresh_from_db()
    assert artifact.openness_class == ""


@pytest.mark.django_db
def test_the_page_says_which_license_each_component_is_under(client):
    artifact = make_artifact(kind="model", license=OPEN)
    for component in CLASS_III:
        if component != Component.TECHNICAL_REPORT:
            OpennessComponent.objects.create(artifact=artifact, component=component)
    OpennessComponent.objects.create(
        artifact=artifact, component=Component.RESEARCH_PAPER, license_expression="CC-BY-4.0"
    )
    OpennessComponent.objects.create(
        artifact=artifact, component=Component.DATASETS, unlicensed=True
    )
    body = client.get(artifact.get_absolute_url()).content.decode()
    assert '<span class="openness-badge">Class III' in body
    assert "open (Apache-2.0, the entry's license: it names none of its own)" in body
    assert "open (CC-BY-4.0)" in body
    assert "the research paper stands in for it" in body
    assert "released without a license" in body


@pytest.mark.django_db
def test_only_models_have_a_class():
    dataset = make_artifact(kind="dataset")
    for component in CLASS_III:
        OpennessComponent.objects.create(
            artifact=dataset, component=component, license_expression=OPEN
        )
    dataset.refresh_from_db()
    assert dataset.openness_class == ""


# --- The seeded models -------------------------------------------------------------------

# Seeded models whose components come from the LF AI & Data Model Openness Tool's
# published assessments (lfai/model_openness_tool, models/*.yml, pinned to a commit).
ASSESSED = {
    "mbzuai/amber": "Amber.yml",
    "snowflake/snowflake-arctic": "Arctic-Instruct.yml",
    "hugging-face/bloom": "BLOOM.yml",
    "cerebras/cerebras-gpt": "CerebrasGPT.yml",
    "meta/llama-2": "Llama-2-7B.yml",
    "meta/llama-3": "Llama-3-8B.yml",
    "ibm/granite-4.0-language-models": "Granite-4.0-Micro.yml",
}


@pytest.mark.usefixtures("seeded_catalog")
@pytest.mark.django_db
class TestSeededOpenness:
    @pytest.mark.parametrize(("artifact_id", "assessment"), ASSESSED.items())
    def test_components_come_with_the_assessment_they_were_read_from(self, artifact_id, assessment):
        from catalog.models import Artifact

        artifact = Artifact.objects.get_by_id(artifact_id)
        assert artifact.openness_components.count() >= 3
        assert artifact.sources.filter(
            url__startswith="https://github.com/lfai/model_openness_tool/blob/",
            url__endswith=f"/models/{assessment}",
        ).exists()

    def test_the_class_is_computed_from_the_components_never_typed_in(self):
        from catalog.models import Artifact
        from catalog.openness import assess_artifact

        models = Artifact.objects.filter(kind="model").prefetch_related("openness_components")
        for artifact in models:
            assert artifact.openness_class == assess_artifact(artifact).openness_class

    def test_amber_has_every_code_and_parameter_component_open_but_no_licensed_docs(self):
        from catalog.models import Artifact
        from catalog.openness import assess_artifact

        amber = assess_artifact(Artifact.objects.get_by_id("mbzuai/amber"))
        assert {
            Component.TRAINING_CODE,
            Component.INFERENCE_CODE,
            Component.EVALUATION_CODE,
            Component.FINAL_PARAMETERS,
            Component.INTERMEDIATE_PARAMETERS,
        } <= amber.counted
        # The assessment gives no license for the model card: it cannot count.
        assert Component.MODEL_CARD in amber.missing_for_next

    def test_the_page_shows_the_evidence_per_component(self, client):
        from catalog.models import Artifact

        amber = Artifact.objects.get_by_id("mbzuai/amber")
        body = client.get(amber.get_absolute_url()).content.decode()
        assert (
            '<a href="https://github.com/LLM360/amber-train" rel="noopener">Training code</a>'
            in body
        )
        assert "open (Apache-2.0)" in body
        assert "released without a license" in body


@pytest.mark.django_db
def test_a_typed_in_class_is_refused(tmp_path):
    from tests.test_seeds import broken_copy

    seeds = broken_copy(tmp_path, "models.yaml", "epfl/apertus", "openness_class", "I")
    from catalog.seeding import SeedError, load_seeds

    with pytest.raises(SeedError, match="unknown field"):
        load_seeds(seeds)


@pytest.mark.django_db
def test_migration_0020_classifies_the_stored_models_again():
    """Stored classes of the old rule (no license of its own: counts for nothing) are
    recomputed, and their search documents with them."""
    from importlib import import_module

    from django.apps import apps

    from catalog.models import Artifact, ArtifactSearchDocument
    from catalog.search.documents import refresh_documents

    migration = import_module("catalog.migrations.0020_openness_component_unlicensed")
    artifact = a_model_naming_no_component_license()
    Artifact.objects.filter(pk=artifact.pk).update(openness_class="")  # as the old rule left it
    refresh_documents([artifact.pk])

    migration.classify_again(apps, None)

    artifact.refresh_from_db()
    assert artifact.openness_class == "III"
    card = ArtifactSearchDocument.objects.get(artifact_id=artifact.pk).card
    assert card["openness_class"] == "III"


@pytest.mark.django_db
def test_deleting_a_classified_model_leaves_nothing_behind():
    from catalog.models import Artifact, ArtifactFacet, ArtifactSearchDocument

    artifact = a_model_naming_no_component_license()
    artifact.refresh_from_db()
    assert artifact.openness_class == "III"
    versions = artifact.history.count()

    Artifact.objects.filter(pk=artifact.pk).delete()

    # The cascade to its components does not re-save the entry on its way out.
    assert Artifact.history.filter(id=artifact.pk).count() == versions + 1  # the deletion
    assert not ArtifactFacet.objects.filter(artifact_id=artifact.pk).exists()
    assert not ArtifactSearchDocument.objects.filter(artifact_id=artifact.pk).exists()
