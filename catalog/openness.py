"""The Model Openness Framework (MOF) class of a model, computed from its components.

Classes are cumulative: Class III (Open Model) needs the six components below it,
Class II (Open Tooling) adds four, Class I (Open Science) four more. A component
counts only when it is released under an open license.

Which license a component is under follows the Model Openness Tool's evaluation
(lfai/model_openness_tool, README "Understanding the Model evaluation process"): its
own license if it names one; otherwise the release's, which here is the entry's
license; none if its source says it carries none. A research paper that counts (released
under an open license) stands in for the technical report; the tool's words are "if the
paper is included, the technical report is optional".
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


# Where the license a component is under comes from.
OWN, RELEASE, NONE = "own", "release", "none"


@dataclass(frozen=True)
class ComponentLicense:
    expression: str  # the license the component is under, "" for none
    source: str  # OWN, RELEASE (the entry's license applies) or NONE


NO_LICENSE = ComponentLicense("", NONE)


def component_license(own: str, unlicensed: bool, release: str) -> ComponentLicense:
    """The license a released component is under: its own, else the release's."""
    if own:
        return ComponentLicense(own, OWN)
    if release and not unlicensed:
        return ComponentLicense(release, RELEASE)
    return NO_LICENSE


@dataclass(frozen=True)
class OpennessAssessment:
    openness_class: str  # "I", "II", "III", or "" for none
    counted: frozenset[str]  # components released under an open license
    satisfied: frozenset[str]  # counted, and the technical report when the paper counts
    next_class: str  # the class above, or "" at Class I
    missing_for_next: tuple[str, ...]  # components the next class still needs
    licenses: dict[str, ComponentLicense]  # by component, for those recorded as released

    def license_of(self, component: str) -> ComponentLicense:
        return self.licenses.get(component, NO_LICENSE)

    @property
    def label(self) -> str:
        if not self.openness_class:
            return "Not classified"
        return OpennessClass(self.openness_class).label


def assess(
    components: Iterable[tuple[str, bool, str, bool]], release_license: str = ""
) -> OpennessAssessment:
    """Classify from (component, included, own license, unlicensed) tuples and the
    release's license."""
    licenses = {
        component: component_license(own, unlicensed, release_license)
        for component, included, own, unlicensed in components
        if included
    }
    counted = frozenset(
        component
        for component, license in licenses.items()
        if license.expression and is_open_expression(license.expression)
    )
    stands_in = {Component.TECHNICAL_REPORT} if Component.RESEARCH_PAPER in counted else set()
    satisfied = counted | stands_in
    achieved = ""
    for openness_class, required in LADDER:
        if not set(required) <= satisfied:
            break
        achieved = openness_class
    next_index = [c for c, _ in LADDER].index(achieved) + 1 if achieved else 0
    if next_index >= len(LADDER):
        return OpennessAssessment(achieved, counted, satisfied, "", (), licenses)
    next_class, required = LADDER[next_index]
    missing = tuple(component for component in required if component not in satisfied)
    return OpennessAssessment(achieved, counted, satisfied, next_class, missing, licenses)


def assess_artifact(artifact: Artifact) -> OpennessAssessment:
    """Classify from the artifact's components (prefetched ones when available)."""
    return assess(
        (
            (c.component, c.included, c.license_expression, c.unlicensed)
            for c in artifact.openness_components.all()
        ),
        artifact.license_expression,
    )


def refresh_openness_class(artifact: Artifact) -> str:
    """Recompute and store the class of a model; other kinds have none."""
    value = assess_artifact(artifact).openness_class if artifact.kind == ArtifactKind.MODEL else ""
    if artifact.openness_class != value:
        artifact.openness_class = value
        artifact.save(update_fields=["openness_class", "updated_at"])
    return value
