"""Keep derived fields true on every write path: admin, API, commands and history revert."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

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
