"""The Model Openness Framework (MOF) class of a model, computed from its components.

Classes are cumulative: Class III (Open Model) needs the six components below it,
Class II (Open Tooling) adds four, Class I (Open Science) four more. A component
counts only when it is released under an open license.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.licenses import is_open_expression
from catalog.models import Artifact, ArtifactKind, Component, OpennessClass

CLASS_III = (
    Component.MODEL_ARCHITECTURE,
    Component.FINAL_PARAMETERS,
    Component.MODEL_CARD,
    Component.DATA_CARD,
    Component.TECHNICAL_REPORT,
    Component.EVALUATION_RESULTS,
)
CLASS_II = (
    *CLASS_III,
    Component.TRAINING_CODE,
    Component.INFERENCE_CODE,
    Component.EVALUATION_CODE,
    Component.EVALUATION_DATA,
)
CLASS_I = (
    *CLASS_II,
    Component.DATASETS,
    Component.DATA_PREPROCESSING_CODE,
    Component.INTERMEDIATE_PARAMETERS,
    Component.RESEARCH_PAPER,
)
# From the least open class to the most open.
LADDER = (
    (OpennessClass.CLASS_III, CLASS_III),
    (OpennessClass.CLASS_II, CLASS_II),
    (OpennessClass.CLASS_I, CLASS_I),
)


@dataclass(frozen=True)
class OpennessAssessment:
    openness_class: str  # "I", "II", "III", or "" for none
    counted: frozenset[str]  # components released under an open license
    next_class: str  # the class above, or "" at Class I
    missing_for_next: tuple[str, ...]  # components the next class still needs

    @property
    def label(self) -> str:
        if not self.openness_class:
            return "Not classified"
        return OpennessClass(self.openness_class).label


def counts(included: bool, license_expression: str) -> bool:
    """A component counts when it is released under an open license."""
    return included and is_open_expression(license_expression)


def assess(components: Iterable[tuple[str, bool, str]]) -> OpennessAssessment:
    """Classify from (component, included, license expression) triples."""
    counted = frozenset(
        component for component, included, expression in components if counts(included, expression)
    )
    achieved = ""
    for openness_class, required in LADDER:
        if not set(required) <= counted:
            break
        achieved = openness_class
    next_index = [c for c, _ in LADDER].index(achieved) + 1 if achieved else 0
    if next_index >= len(LADDER):
        return OpennessAssessment(achieved, counted, "", ())
    next_class, required = LADDER[next_index]
    missing = tuple(component for component in required if component not in counted)
    return OpennessAssessment(achieved, counted, next_class, missing)


def assess_artifact(artifact: Artifact) -> OpennessAssessment:
    """Classify from the artifact's components (prefetched ones when available)."""
    return assess(
        (c.component, c.included, c.license_expression) for c in artifact.openness_components.all()
    )


def refresh_openness_class(artifact: Artifact) -> str:
    """Recompute and store the class of a model; other kinds have none."""
    value = assess_artifact(artifact).openness_class if artifact.kind == ArtifactKind.MODEL else ""
    if artifact.openness_class != value:
        artifact.openness_class = value
        artifact.save(update_fields=["openness_class", "updated_at"])
    return value
