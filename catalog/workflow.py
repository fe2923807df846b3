"""The review workflow: draft -> in review -> published -> deprecated or withdrawn.

Each transition is a small action object: `check(artifact, user)` says whether the
user may take it from the artifact's current status (raising TransitionRefused with a
sentence a person can act on), `execute(artifact, user=..., at=..., note=...)` takes it
in one transaction and records who, when and why in the artifact's history. The admin's
actions and buttons call these; the status field itself is never edited freely.

Transitions leave `updated_at` alone: it says when the content last changed, so that
curators can list published entries changed after publication.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from catalog.models import ApiToken, Artifact, ArtifactStatus
from catalog.models.roles import is_curator

S = ArtifactStatus


class TransitionRefused(Exception):
    """The transition does not apply to this entry now, or not for this user."""


# Who may take a transition, besides curators and superusers.
CURATORS = "curators"
EDITORS = "editors of the lead organization"
ORGANIZATION_ADMINS = "admins of the lead organization"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # a verb for buttons and actions: "Submit for review"
    sources: tuple[str, ...]
    target: str
    allowed: str  # CURATORS, EDITORS or ORGANIZATION_ADMINS
    note: str = ""  # "" (no note), "review_note" or "withdrawn_reason": required text

    def permitted(self, artifact: Artifact, user: User | AnonymousUser) -> bool:
        """May `user` take this transition on `artifact`, whatever its status?"""
        if is_curator(user):
            return True
        if self.allowed == EDITORS:
            return Artifact.objects.editable_by(user).filter(pk=artifact.pk).exists()
        if self.allowed == ORGANIZATION_ADMINS:
            return Artifact.objects.managed_by(user).filter(pk=artifact.pk).exists()
        return False

    def applies(self, artifact: Artifact) -> bool:
        return artifact.status in self.sources

    def check(self, artifact: Artifact, user: User | AnonymousUser, note: str = "") -> None:
        if not self.permitted(artifact, user):
            raise TransitionRefused(f"Only {self.allowed} may {self.label.lower()} an entry.")
        if not self.applies(artifact):
            allowed = " or ".join(str(S(status).label).lower() for status in self.sources)
            raise TransitionRefused(
                f"{artifact} is {S(artifact.status).label.lower()}; only an entry that is "
                f"{allowed} can be {self.past_participle}."
            )
        if self.note and not note.strip():
            what = "a note for the editors" if self.note == "review_note" else "a public reason"
            raise TransitionRefused(f"Give {what} to {self.label.lower()} {artifact}.")

    @property
    def past_participle(self) -> str:
        return PAST_PARTICIPLES[self.name]

    def execute(
        self,
        artifact: Artifact,
        *,
        user: User,
        at: datetime.datetime,
        note: str = "",
        token: ApiToken | None = None,
    ) -> Artifact:
        """Take the transition; the row is locked so two curators cannot race. The
        history row names `token` when the transition came through the API."""
        with transaction.atomic():
            locked = Artifact.objects.locked().get(pk=artifact.pk)
            self.check(locked, user, note)
            if self.target == S.PUBLISHED:
                fields = locked.publish_at(at)
            else:
                fields = ["status"]
                locked.status = self.target
            if self.note == "review_note":
                locked.review_note = note.strip()
                fields.append("review_note")
            elif self.target in (S.IN_REVIEW, S.PUBLISHED) and locked.review_note:
                locked.review_note = ""  # the note was answered
                fields.append("review_note")
            if self.note == "withdrawn_reason":
                locked.withdrawn_reason = note.strip()
                fields.append("withdrawn_reason")
            elif locked.withdrawn_reason and self.target != S.WITHDRAWN:
                locked.withdrawn_reason = ""
                fields.append("withdrawn_reason")
            locked._history_user = user
            locked._history_api_token = token
            locked._history_date = at
            reason = f"{self.label}: {note.strip()}" if note.strip() else self.label
            locked._change_reason = reason[:100]
            locked.save(update_fields=fields)
        for field in (*fields, "published_at", "edit_count"):
            setattr(artifact, field, getattr(locked, field))
        return artifact


SUBMIT = Transition("submit", "Submit for review", (S.DRAFT,), S.IN_REVIEW, EDITORS)
PUBLISH = Transition("publish", "Publish", (S.IN_REVIEW,), S.PUBLISHED, CURATORS)
SEND_BACK = Transition(
    "send_back", "Send back", (S.IN_REVIEW,), S.DRAFT, CURATORS, note="review_note"
)
DEPRECATE = Transition("deprecate", "Deprecate", (S.PUBLISHED,), S.DEPRECATED, ORGANIZATION_ADMINS)
WITHDRAW = Transition(
    "withdraw",
    "Withdraw",
    (S.PUBLISHED, S.DEPRECATED),
    S.WITHDRAWN,
    ORGANIZATION_ADMINS,
    note="withdrawn_reason",
)
RESTORE = Transition("restore", "Restore", (S.DEPRECATED, S.WITHDRAWN), S.PUBLISHED, CURATORS)

TRANSITIONS = {t.name: t for t in (SUBMIT, PUBLISH, SEND_BACK, DEPRECATE, WITHDRAW, RESTORE)}
PAST_PARTICIPLES = {
    "submit": "submitted",
    "publish": "published",
    "send_back": "sent back",
    "deprecate": "deprecated",
    "withdraw": "withdrawn",
    "restore": "restored",
}


def available_transitions(artifact: Artifact, user: User | AnonymousUser) -> list[Transition]:
    """The transitions `user` may take on `artifact` now, for the buttons."""
    candidates = [t for t in TRANSITIONS.values() if t.applies(artifact)]
    return [t for t in candidates if t.permitted(artifact, user)]
