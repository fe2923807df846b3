"""Keep derived fields true on every write path: admin, API, commands and history revert."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from catalog.models import Artifact, OpennessComponent


@receiver(post_save, sender=OpennessComponent)
@receiver(post_delete, sender=OpennessComponent)
def refresh_openness(sender, instance: OpennessComponent, **kwargs) -> None:
    from catalog.openness import refresh_openness_class

    try:
        artifact = Artifact.objects.get(pk=instance.artifact_id)
    except Artifact.DoesNotExist:  # the artifact itself is being deleted
        return
    refresh_openness_class(artifact)


@receiver(pre_create_historical_record, sender=Artifact.history.model)
def name_the_api_token(sender, instance, history_instance, **kwargs) -> None:
    """An entry's history row names the API token the change came through, if any."""
    history_instance.history_api_token = getattr(instance, "_history_api_token", None)
