"""Keep derived fields true on every write path: admin, API, commands and history revert.

Search documents and facet counts are kept by `catalog.search.signals`.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from simple_history.signals import pre_create_historical_record

from catalog.models import Artifact, Membership, OpennessComponent
from catalog.openness import refresh_openness_class


def refresh_openness(sender, instance: OpennessComponent, origin=None, **kwargs) -> None:
    if _deleting_entries(origin):  # its entry goes too: nothing to keep true
        return
    try:
        artifact = Artifact.objects.get(pk=instance.artifact_id)
    except Artifact.DoesNotExist:  # the artifact itself is being deleted
        return
    refresh_openness_class(artifact)


def refresh_openness_of_entry(sender, instance: Artifact, update_fields=None, **kwargs) -> None:
    """A component naming no license of its own is under the entry's: the class follows
    the entry's license (and its kind: only models have a class)."""
    if update_fields is not None and not {"license_expression", "kind"} & set(update_fields):
        return
    refresh_openness_class(instance)


def _deleting_entries(origin) -> bool:
    """Whether a deletion started at an entry (or entries), so cascades to their rows."""
    if isinstance(origin, QuerySet):
        return origin.model is Artifact
    return isinstance(origin, Artifact)


def name_the_api_token(sender, instance, history_instance, **kwargs) -> None:
    """An entry's or a membership's history row names the API token the change came
    through, if any."""
    history_instance.history_api_token = getattr(instance, "_history_api_token", None)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(refresh_openness, sender=OpennessComponent, dispatch_uid="openness")
    post_save.connect(refresh_openness_of_entry, sender=Artifact, dispatch_uid="openness-of-entry")
    for model in (Artifact, Membership):
        pre_create_historical_record.connect(
            name_the_api_token,
            sender=model.history.model,
            dispatch_uid=f"history-api-token-{model._meta.model_name}",
        )
