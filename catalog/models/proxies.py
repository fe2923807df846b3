"""One admin section per kind: Models, Datasets, Tools over the one Artifact table.

Proxies add no table; the admin filters each to its kind. They share the artifact's
history, so `history` on a proxy reads the Artifact's historical records.
"""

from catalog.models.artifacts import Artifact, ArtifactKind


class ModelEntry(Artifact):
    KIND = ArtifactKind.MODEL

    class Meta:
        proxy = True
        verbose_name = "model"
        verbose_name_plural = "Models"


class DatasetEntry(Artifact):
    KIND = ArtifactKind.DATASET

    class Meta:
        proxy = True
        verbose_name = "dataset"
        verbose_name_plural = "Datasets"


class ToolEntry(Artifact):
    KIND = ArtifactKind.TOOL

    class Meta:
        proxy = True
        verbose_name = "tool"
        verbose_name_plural = "Tools"


KIND_PROXIES = {proxy.KIND: proxy for proxy in (ModelEntry, DatasetEntry, ToolEntry)}

# django-simple-history names the history manager on the concrete model's options only.
for _proxy in KIND_PROXIES.values():
    _proxy._meta.simple_history_manager_attribute = "history"
