"""Keep derived fields true on every write path: admin, API, commands and history revert.

Search documents and facet counts are kept by `catalog.search.signals`.
"""

from django.db.models.signals import post_delete, post_save
from simple_history.signals import pre_create_historical_record

from catalog.models import Artifact, Membership, OpennessComponent
from catalog.openness import refresh_openness_class


def refresh_openness(sender, instance: OpennessComponent, **kwargs) -> None:
    try:
        artifact = Artifact.objects.get(pk=instance.artifact_id)
    except Artifact.DoesNotExist:  # the artifact itself is being deleted
        return
    refresh_openness_class(artifact)


def name_the_api_token(sender, instance, history_instance, **kwargs) -> None:
    """An entry's or a membership's history row names the API token the change came
    through, if any."""
    history_instance.history_api_token = getattr(instance, "_history_api_token", None)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(refresh_openness, sender=OpennessComponent, dispatch_uid="openness")
    for model in (Artifact, Membership):
        pre_create_historical_record.connect(
            name_the_api_token,
            sender=model.history.model,
            dispatch_uid=f"history-api-token-{model._meta.model_name}",
        )
