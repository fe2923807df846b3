"""The review workflow over the API: `POST /api/v1/artifacts/<org>/<slug>/<transition>/`.

Each endpoint takes one transition of `catalog.workflow`, the very objects behind the
admin's buttons: who may take it, from which statuses, and which note it needs are
theirs. The API adds only what a token adds: the scope the transition needs, for the
entry's lead organization, follows from who the workflow lets take it:

- editors' transitions (submit) need the `submit` scope;
- curators' transitions (publish, send back, restore) need `publish`;
- organization admins' transitions (deprecate, withdraw) need `write`.

Answers, in the order they are decided: 401 without a token, 404 for an entry its user
cannot see, 403 when the user (per the workflow) or the token (per its scopes and
organizations) may not take the transition, 428 / 412 for a missing or stale If-Match,
400 for a bad body (an unknown field, or a note the transition requires left out), 409
when the entry's status does not allow the transition, 200 with the entry and its new
ETag otherwise. The write is one transaction and one history row, naming the user
(`history_user`) and the token (`history_api_token`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.api.authentication import request_token
from catalog.api.preconditions import TokenWriteMixin, lead_organization_id
from catalog.api.schema import IF_MATCH, WRITE_RESPONSES, ErrorDetailSerializer
from catalog.api.serializers import ArtifactDetailSerializer
from catalog.models import TokenScope
from catalog.workflow import (
    CURATORS,
    EDITORS,
    ORGANIZATION_ADMINS,
    TRANSITIONS,
    Transition,
    TransitionRefused,
)

# The scope a token needs for a transition, from who the workflow lets take it.
SCOPE_FOR = {
    EDITORS: TokenScope.SUBMIT,
    CURATORS: TokenScope.PUBLISH,
    ORGANIZATION_ADMINS: TokenScope.WRITE,
}
SCOPE_MISSING = (
    "This token may not {label} {artifact}: it needs the '{scope}' scope for the entry's "
    "lead organization."
)
NOTE_HELP = {
    "review_note": "Required: what the editors should change (shown to them).",
    "withdrawn_reason": "Required: the public reason, shown on the entry's page.",
    "": "Optional: why, kept in the entry's history.",
}
MAX_NOTE_LENGTH = 2000


def transition_path(transition: Transition) -> str:
    """`send_back` -> `send-back`."""
    return transition.name.replace("_", "-")


class TransitionRequestSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH, trim_whitespace=True
    )

    def validate(self, attrs: dict) -> dict:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise ValidationError(
                {name: ["Unknown field: a transition takes only `note`."] for name in unknown}
            )
        return attrs


class TransitionView(TokenWriteMixin, APIView):
    transition: Transition

    def post(self, request: Request, namespace: str, slug: str) -> Response:
        transition = self.transition
        token = request_token(request)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ["Send a JSON object."]})
        body = TransitionRequestSerializer(data=request.data)
        with transaction.atomic():
            artifact = self.locked_entry(request, namespace, slug)
            scope = SCOPE_FOR[transition.allowed]
            if not transition.permitted(artifact, request.user):
                # The workflow's own sentence: "Only curators may publish an entry."
                raise PermissionDenied(_refusal(transition, artifact, request))
            if not token.allows(scope, lead_organization_id(artifact)):
                raise PermissionDenied(
                    SCOPE_MISSING.format(
                        label=transition.label.lower(), artifact=artifact, scope=scope
                    )
                )
            stale = self.stale_response(request, artifact)
            if stale is not None:
                return stale
            body.is_valid(raise_exception=True)
            note = body.validated_data.get("note", "")
            if not transition.applies(artifact):
                return Response(
                    {"detail": _refusal(transition, artifact, request, note)},
                    status=status.HTTP_409_CONFLICT,
                    headers={"ETag": artifact.etag},
                )
            try:
                transition.check(artifact, request.user, note)
            except TransitionRefused as refusal:  # the note the transition needs
                raise ValidationError({"note": [str(refusal)]}) from None
            transition.execute(
                artifact, user=request.user, at=timezone.now(), note=note, token=token
            )
            return self.entry_response(request, artifact)


def _refusal(transition: Transition, artifact, request: Request, note: str = "") -> str:
    try:
        transition.check(artifact, request.user, note)
    except TransitionRefused as refusal:
        return str(refusal)
    return ""


def transition_view(transition: Transition):
    """The view of one transition, documented with its own words."""
    scope = SCOPE_FOR[transition.allowed]
    sources = ", ".join(sorted(transition.sources))
    description = (
        f"{transition.label}: from {sources} to {transition.target}, through the same "
        f"workflow as the admin's button. Who may: {transition.allowed}; the token needs "
        f"the `{scope}` scope for the entry's lead organization. Send the entry's ETag "
        "in If-Match."
    )
    body = type(
        f"{transition.name.title().replace('_', '')}Serializer",
        (TransitionRequestSerializer,),
        {
            "note": serializers.CharField(
                required=bool(transition.note),
                allow_blank=not transition.note,
                max_length=MAX_NOTE_LENGTH,
                help_text=NOTE_HELP[transition.note],
            ),
            "validate": TransitionRequestSerializer.validate,
        },
    )
    schema = extend_schema(
        summary=transition.label,
        description=description,
        request=body,
        parameters=[IF_MATCH],
        responses={
            200: OpenApiResponse(
                ArtifactDetailSerializer, description="Done: the entry, with its new ETag."
            ),
            409: OpenApiResponse(
                ErrorDetailSerializer,
                description="The entry's status does not allow this transition now.",
            ),
            **WRITE_RESPONSES,
        },
    )

    def post(self, request: Request, namespace: str, slug: str) -> Response:
        return TransitionView.post(self, request, namespace, slug)

    return type(
        f"{transition.name.title().replace('_', '')}View",
        (TransitionView,),
        {"transition": transition, "__doc__": description, "post": schema(post)},
    )


TRANSITION_VIEWS = {transition_path(t): transition_view(t) for t in TRANSITIONS.values()}
