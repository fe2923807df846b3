"""The Model Openness Framework's rules, as a table of cases."""

import pytest

from catalog.models import Component, OpennessComponent
from catalog.openness import CLASS_I, CLASS_II, CLASS_III, assess
from tests.factories import make_artifact

OPEN = "Apache-2.0"
CLOSED = "LicenseRef-scancode-llama-2-license-2023"


def released(components, license=OPEN):
    return [(component, True, license) for component in components]


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
            (Component.FINAL_PARAMETERS, True, CLOSED),
        ],
        "",
        "III",
        (Component.FINAL_PARAMETERS,),
    ),
    (
        "a component recorded but not released",
        [
            *released(c for c in CLASS_III if c != Component.DATA_CARD),
            (Component.DATA_CARD, False, OPEN),
        ],
        "",
        "III",
        (Component.DATA_CARD,),
    ),
    (
        "a component without any license",
        [
            *released(c for c in CLASS_III if c != Component.MODEL_CARD),
            (Component.MODEL_CARD, True, ""),
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
def test_only_models_have_a_class():
    dataset = make_artifact(kind="dataset")
    for component in CLASS_III:
        OpennessComponent.objects.create(
            artifact=dataset, component=component, license_expression=OPEN
        )
    dataset.refresh_from_db()
    assert dataset.openness_class == ""
