"""The review workflow in the admin: one action and one button per transition.

Both call `catalog.workflow`, which checks who may take a transition from which status;
the status field itself is never a form field.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from catalog.models.roles import is_curator, managing_organization_ids
from catalog.workflow import (
    CURATORS,
    EDITORS,
    TRANSITIONS,
    Transition,
    TransitionRefused,
    available_transitions,
)

# The admin permission each group of transitions asks for (has_<name>_permission).
PERMISSION_OF = {CURATORS: "review", EDITORS: "submit"}
# The list's bulk actions, as a sentence about the selected entries.
ACTION_DESCRIPTIONS = {
    "submit": "Submit the selected entries for review",
    "publish": "Publish the selected entries",
    "send_back": "Send the selected entries back to their editors",
    "deprecate": "Deprecate the selected entries",
    "withdraw": "Withdraw the selected entries",
    "restore": "Restore the selected entries",
}


def run_transition(request, artifacts, transition: Transition, note: str = "") -> None:
    """Take `transition` on each entry; report what was done and what was refused, why."""
    at = timezone.now()
    done, refused = [], []
    for artifact in artifacts:
        try:
            transition.execute(artifact, user=request.user, at=at, note=note)
        except TransitionRefused as refusal:
            refused.append(str(refusal))
        else:
            done.append(str(artifact))
    if done:
        messages.success(request, f"{transition.past_participle.capitalize()}: {', '.join(done)}.")
    for reason in refused:
        messages.error(request, reason)


def transition_action(transition: Transition):
    """An admin action for `transition`; those that need a note ask for it first."""

    def action(modeladmin, request, queryset):
        if transition.note:
            note = request.POST.get("note", "")
            if "apply" not in request.POST or not note.strip():
                return TemplateResponse(
                    request,
                    "admin/catalog/transition_note.html",
                    {
                        **modeladmin.admin_site.each_context(request),
                        "title": f"{transition.label}: give a note",
                        "transition": transition,
                        "artifacts": queryset,
                        "action_name": f"transition_{transition.name}",
                        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                        "opts": modeladmin.model._meta,
                        "missing_note": "apply" in request.POST,
                    },
                )
            run_transition(request, queryset, transition, note)
            return None
        run_transition(request, queryset, transition)
        return None

    action.__name__ = f"transition_{transition.name}"
    return admin.action(
        description=ACTION_DESCRIPTIONS[transition.name],
        permissions=[PERMISSION_OF.get(transition.allowed, "retire")],
    )(action)


class ReviewMixin:
    """Actions, buttons and the transition endpoint of an entry admin."""

    change_form_template = "admin/catalog/artifact_change_form.html"
    actions = [transition_action(t) for t in TRANSITIONS.values()]

    def has_review_permission(self, request) -> bool:
        return is_curator(request.user)

    def has_submit_permission(self, request) -> bool:
        return self.may_add(request)

    def has_retire_permission(self, request) -> bool:
        return is_curator(request.user) or bool(managing_organization_ids(request.user))

    def transition_view(self, request, object_id, name):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        artifact = self.get_object(request, object_id)  # 404 outside the user's rows
        transition = TRANSITIONS.get(name)
        if transition is None or not transition.permitted(artifact, request.user):
            raise PermissionDenied
        run_transition(request, [artifact], transition, request.POST.get("note", ""))
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[artifact.pk],
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        artifact = self.get_object(request, object_id)
        extra_context["transitions"] = available_transitions(artifact, request.user)
        return super().change_view(request, object_id, form_url, extra_context)
