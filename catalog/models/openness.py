"""Model Openness Framework components recorded for a model.

The class an artifact earns is computed from these rows by `catalog.openness`, never
typed in.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from catalog.models.artifacts import Artifact


class Component(models.TextChoices):
    # Class III: Open Model
    MODEL_ARCHITECTURE = "model_architecture", "Model architecture"
    FINAL_PARAMETERS = "final_parameters", "Final model parameters"
    MODEL_CARD = "model_card", "Model card"
    DATA_CARD = "data_card", "Data card"
    TECHNICAL_REPORT = "technical_report", "Technical report"
    EVALUATION_RESULTS = "evaluation_results", "Evaluation results"
    # Class II: Open Tooling
    TRAINING_CODE = "training_code", "Training code"
    INFERENCE_CODE = "inference_code", "Inference code"
    EVALUATION_CODE = "evaluation_code", "Evaluation code"
    EVALUATION_DATA = "evaluation_data", "Evaluation data"
    # Class I: Open Science
    DATASETS = "datasets", "Datasets"
    DATA_PREPROCESSING_CODE = "data_preprocessing_code", "Data preprocessing code"
    INTERMEDIATE_PARAMETERS = "intermediate_parameters", "Intermediate model parameters"
    RESEARCH_PAPER = "research_paper", "Research paper"


class OpennessComponent(models.Model):
    artifact = models.ForeignKey(
        Artifact, on_delete=models.CASCADE, related_name="openness_components"
    )
    component = models.CharField(max_length=32, choices=Component.choices)
    included = models.BooleanField(default=True, help_text="Is it released?")
    license_expression = models.CharField(
        max_length=500,
        blank=True,
        help_text=(
            "The component's own license (SPDX expression). Left empty, the entry's license "
            "applies, as in the Model Openness Tool. Counts only if open."
        ),
    )
    unlicensed = models.BooleanField(
        default=False,
        help_text=(
            "Its source says it carries no license ('unlicensed', 'license not specified'): "
            "the entry's license does not apply, and it does not count."
        ),
    )
    location = models.URLField(blank=True, help_text="Where it can be found.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["artifact", "component"]
        constraints = [
            models.UniqueConstraint(
                fields=["artifact", "component"], name="openness_component_once_per_artifact"
            ),
            models.CheckConstraint(
                condition=Q(component__in=Component.values), name="openness_component_valid"
            ),
            models.CheckConstraint(
                condition=Q(unlicensed=False) | Q(license_expression=""),
                name="openness_component_unlicensed_has_no_license",
                violation_error_message="A component without a license names no license.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artifact}: {self.get_component_display()}"
