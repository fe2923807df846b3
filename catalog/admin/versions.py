"""One save in the admin, one version in the entry's history, read in plain words.

django-simple-history writes a version on every `save()` of the entry and on every
change of one of its many-to-many fields. One click on "Save" in the admin touches the
entry several times: the row itself, each taxonomy field the form sets (tasks,
modalities, languages, tags), its linked licenses, and the openness class that the
components' receiver recomputes on its own copy of the entry. Each of those was a
version of its own, the first ones with the taxonomy still half-saved and none with a
reason. Here the entry saves without versions while the admin writes, and once all is
written (when Django logs the change, the one step every admin save path ends with,
history reverts included) one version is written with the reason taken from the same
change message the admin's log keeps: "Changed license, tasks; added lineage edge".
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db.models import Max
from simple_history.template_utils import HistoricalRecordContextHelper

from catalog.models import Artifact

VERSION_MARK = "_catalog_version_mark"
REASON_LENGTH = 100  # the history table's change reason column
# The words of a change message that read better otherwise in a reason.
PLAIN_NAMES = {
    "license expression": "license",
    "relation": "lineage edge",
    "contribution": "contributing organization",
    "model variant": "size",
}
# The fields only workflow steps and receivers write: a save keeps what they hold now.
DERIVED_FIELDS = ("openness_class",)
EMPTY = "—"


@contextmanager
def as_artifact(obj: Artifact):
    """The entry as a plain Artifact, not a per-kind proxy, for the length of a write.

    Django sends a proxy's save and delete signals with the proxy as sender, and the
    receivers that keep history, search documents and derived fields listen for
    Artifact; so every write of the admin goes through the concrete class. The entry
    is its section's proxy again afterwards, so the admin answers in that section
    ("The model ... was added", back to Models), not in "entries".
    """
    proxy = obj.__class__
    obj.__class__ = Artifact
    try:
        yield obj
    finally:
        obj.__class__ = proxy


def change_reason(message: list[dict], *, added: bool) -> str:
    """A history reason from the admin's change message, as a person would say it."""
    if added:
        return "Added"
    parts = []
    for change in message:
        for verb, details in change.items():
            name = _plain(details.get("name", ""))
            if name:
                parts.append(f"{verb} {name}")
            elif details.get("fields"):
                parts.append(f"{verb} " + ", ".join(_plain(f) for f in details["fields"]))
    reason = "; ".join(parts) or "saved without changes"
    reason = reason[0].upper() + reason[1:]
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1].rstrip(",; ") + "…"
    return reason


def _plain(label: str) -> str:
    label = str(label).lower()
    return PLAIN_NAMES.get(label, label)


class OneVersionPerSave:
    """For the entry admin: each save of the form is one version with a reason."""

    def start_version(self, obj: Artifact) -> None:
        """Called before the first write of a save: no versions until it is done."""
        if VERSION_MARK in obj.__dict__:
            return
        last = None
        if obj.pk is not None:
            last = Artifact.history.filter(id=obj.pk).aggregate(last=Max("history_id"))["last"]
        obj.__dict__[VERSION_MARK] = last or 0
        obj.skip_history_when_saving = True

    def write_version(self, request, obj: Artifact, reason: str, *, added: bool) -> None:
        """Called once everything is written: the one version of this save."""
        if VERSION_MARK not in obj.__dict__:
            return
        mark = obj.__dict__.pop(VERSION_MARK)
        del obj.skip_history_when_saving
        # Receivers that keep derived fields write on their own copy of the entry,
        # outside the skip above; what they wrote is part of this version.
        Artifact.history.filter(id=obj.pk, history_id__gt=mark).delete()
        obj.refresh_from_db(fields=DERIVED_FIELDS)
        obj._history_user = request.user
        obj._change_reason = reason
        with as_artifact(obj) as artifact:
            artifact.save(update_fields=["updated_at"])
        del obj._change_reason
        if added:
            # The one version of a new entry is its creation, though written as an update.
            latest = Artifact.history.filter(id=obj.pk).aggregate(last=Max("history_id"))
            Artifact.history.filter(history_id=latest["last"]).update(history_type="+")

    def log_addition(self, request, obj, message):
        self.write_version(request, obj, change_reason(message, added=True), added=True)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self.write_version(request, obj, change_reason(message, added=False), added=False)
        return super().log_change(request, obj, message)


class VersionHelper(HistoricalRecordContextHelper):
    """History pages' diffs in display words: "Published", not "published"; names of
    related rows, not their ids; a dash for nothing."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if value is None or value in ("", [], {}):
            return EMPTY
        if getattr(field, "flatchoices", None) and not field.many_to_many:
            return str(dict(field.flatchoices).get(value, value))
        prepared = super().prepare_delta_change_value(change, value)
        if isinstance(prepared, list):
            return ", ".join(sorted(str(item) for item in prepared))
        return prepared
