"""An organization's people over the API: `/api/v1/organizations/<slug>/members/`.

The rules are the admin's (`catalog.admin.memberships`), from the same homes:

- Who sees an organization's memberships: its own members, in any role, and curators
  (`Membership.objects.visible_to`). Anyone else, the public included, gets 404 for
  them, as for an entry they may not see. Reads take a session or a token, as every
  read does; a token reads as its user.
- Who adds, changes and removes them: the organization's admins and curators
  (`Membership.objects.managed_by`), with an API token that has the `write` scope for
  the organization. No scope of its own: `write` is "change this organization's
  records", and `ApiToken.allows` already asks the user's right of the moment, so a
  token can never manage people its user does not manage now.
- The body is validated by the admin's own `MembershipForm`: the person named by
  `username` (an active account), a known `role`, one membership per person and
  organization. Each write goes through `catalog.members` as the admin's do: an
  organization keeps an admin unless a curator decides otherwise (409 here), the write
  is one transaction with one history row naming the user and the token, and a removed
  person's tokens stop acting for the organization at once.

Answers, in the order they are decided: 401 for a write without a good token; 404 for
an unknown organization or member, or members the caller may not see; 403 when the
caller sees them but may not manage them, or the token may not; 400 naming each bad
field; 409 when the organization would be left without an admin; then 200, 201 or 204.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.admin.memberships import MembershipForm
from catalog.api.authentication import request_token
from catalog.api.entries import UNKNOWN_ORGANIZATION, form_errors
from catalog.api.preconditions import TokenWrites
from catalog.api.schema import (
    BAD_TOKEN,
    LOCATION,
    THROTTLED,
    WRITE_RESPONSES,
    ErrorDetailSerializer,
    FieldErrorsSerializer,
)
from catalog.api.serializers import always_present
from catalog.members import LastAdminError, remove_memberships, save_membership
from catalog.models import Membership, MembershipRole, Organization, TokenScope
from catalog.models.roles import may_manage_members_of, may_see_members_of

MEMBERS_HIDDEN = "Only {organization}'s own members and curators see its members."
UNKNOWN_MEMBER = "{username} is not a member of {organization}."
MAY_NOT_MANAGE = "You may not change {organization}'s members: only its admins and curators may."
SCOPE_MISSING = (
    "This token may not change {organization}'s members: it needs the 'write' scope for {slug}."
)
NOT_AN_OBJECT = "Send a JSON object."
READ_ONLY_FIELD = "This field is read-only: {why}."
UNKNOWN_FIELD = "Unknown field. A membership takes: {fields}."
READ_ONLY = {
    "organization": "the organization is the one in the URL",
    "created_at": "set when the person is added",
}
ADDABLE = ("username", "role")
CHANGEABLE = ("role",)
PERSON_FIXED = "a membership's person does not change: remove it (DELETE) and add the other person"


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", help_text="The person's account.")

    class Meta:
        model = Membership
        fields = ["username", "role", "created_at"]
        extra_kwargs = always_present(fields)


class MemberAddSerializer(serializers.Serializer):
    """The body of POST (for the schema; the admin's form validates it)."""

    username = serializers.CharField(help_text="The username of an existing, active account.")
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class MemberChangeSerializer(serializers.Serializer):
    """The body of PATCH (for the schema; the admin's form validates it)."""

    role = serializers.ChoiceField(choices=MembershipRole.choices)


def check_body(data, writable: tuple[str, ...], read_only: dict[str, str]) -> None:
    """400 for a body that is no object, or sets a field it may not, before anything."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [NOT_AN_OBJECT]})
    errors = {}
    for name in data:
        if name in read_only:
            errors[name] = [READ_ONLY_FIELD.format(why=read_only[name])]
        elif name not in writable:
            errors[name] = [UNKNOWN_FIELD.format(fields=", ".join(writable))]
    if errors:
        raise ValidationError(errors)


def member_url(request: Request, membership: Membership) -> str:
    kwargs = {"slug": membership.organization.slug, "username": membership.user.username}
    return request.build_absolute_uri(reverse("api:organization-member", kwargs=kwargs))


class MembersBase(TokenWrites, APIView):
    """What the list and the member share: the organization as the caller may see its
    members, each member, and the right to change them."""

    def organization(self, request: Request, slug: str, *, lock: bool = False) -> Organization:
        found = Organization.objects.filter(slug=slug)
        if lock:  # a write: one at a time per organization, checked and saved together
            found = found.select_for_update()
        organization = found.first()
        if organization is None:
            raise NotFound(UNKNOWN_ORGANIZATION.format(slug=slug))
        if not may_see_members_of(request.user, organization.pk):
            raise NotFound(MEMBERS_HIDDEN.format(organization=organization.name))
        return organization

    def members(self, request: Request, organization: Organization) -> QuerySet[Membership]:
        visible = Membership.objects.visible_to(request.user).filter(organization=organization)
        return visible.select_related("user", "organization").order_by(Lower("user__username"))

    def member(self, request: Request, organization: Organization, username: str) -> Membership:
        membership = self.members(request, organization).filter(user__username=username).first()
        if membership is None:
            raise NotFound(UNKNOWN_MEMBER.format(username=username, organization=organization))
        return membership

    def check_may_manage(self, request: Request, organization: Organization, token) -> None:
        if not may_manage_members_of(request.user, organization.pk):
            raise PermissionDenied(MAY_NOT_MANAGE.format(organization=organization))
        if not token.allows(TokenScope.WRITE, organization.pk):
            raise PermissionDenied(
                SCOPE_MISSING.format(organization=organization, slug=organization.slug)
            )

    def member_to_change(self, request: Request, slug: str, username: str, token):
        """For a write, in its transaction: the organization (locked) and the member,
        each 404 unless the caller sees them, and 403 unless the caller and the token
        may manage them."""
        organization = self.organization(request, slug, lock=True)
        membership = self.member(request, organization, username)
        self.check_may_manage(request, organization, token)
        return organization, membership

    def member_response(self, membership: Membership, status_code: int = 200) -> Response:
        return Response(MemberSerializer(membership).data, status=status_code)


def conflict(refusal: LastAdminError) -> Response:
    return Response({"detail": str(refusal)}, status=status.HTTP_409_CONFLICT)


# -- the schema ---------------------------------------------------------------------------

MEMBERS_NOT_FOUND = OpenApiResponse(
    ErrorDetailSerializer,
    description="No such organization, or its members are not visible to you (only its "
    "own members and curators see them).",
)
MEMBER_NOT_FOUND = OpenApiResponse(
    ErrorDetailSerializer,
    description="No such organization or member, or its members are not visible to you.",
)
MEMBER_WRITE_RESPONSES = {
    400: OpenApiResponse(
        FieldErrorsSerializer,
        description="A bad body: each bad field (an unknown or read-only one, an unknown "
        "username or role, a person who already has a role there) with why. Nothing was "
        "changed.",
    ),
    401: WRITE_RESPONSES[401],
    403: OpenApiResponse(
        ErrorDetailSerializer,
        description="You see the members but may not change them: only the "
        "organization's admins and curators may, with a token that has the `write` "
        "scope for the organization.",
    ),
    409: OpenApiResponse(
        ErrorDetailSerializer,
        description="The organization would be left without an admin; only a curator "
        "may do that. Make another member an admin first.",
    ),
    413: WRITE_RESPONSES[413],
    **THROTTLED,
}


class MemberListView(MembersBase):
    """An organization's people and their roles."""

    @extend_schema(
        summary="An organization's members",
        description="Each person who acts for the organization, with their role, by "
        "username. Visible to the organization's own members and to curators.",
        responses={
            200: MemberSerializer(many=True),
            404: MEMBERS_NOT_FOUND,
            **BAD_TOKEN,
            **THROTTLED,
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        organization = self.organization(request, slug)
        members = self.members(request, organization)
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(
        summary="Add a member",
        description="Give an existing account a role in the organization. For its "
        "admins and curators, with a token that has the `write` scope for it.",
        request=MemberAddSerializer,
        parameters=[LOCATION],
        responses={
            201: OpenApiResponse(MemberSerializer, description="The new member."),
            404: MEMBERS_NOT_FOUND,
            **{code: r for code, r in MEMBER_WRITE_RESPONSES.items() if code != 409},
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        token = request_token(request)
        with transaction.atomic():
            organization = self.organization(request, slug, lock=True)
            self.check_may_manage(request, organization, token)
            check_body(request.data, ADDABLE, READ_ONLY)
            data = {**request.data, "organization": organization.pk}
            form = MembershipForm(data=data, instance=Membership())
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            try:
                membership = save_membership(
                    form.save(commit=False),
                    by=request.user,
                    token=token,
                    reason="Added over the API",
                )
            except IntegrityError:  # the same person added by another request meanwhile
                raise ValidationError(
                    {"username": [f"{data['username']} already has a role in {organization}."]}
                ) from None
        response = self.member_response(membership, status.HTTP_201_CREATED)
        response["Location"] = member_url(request, membership)
        return response


class MemberView(MembersBase):
    """One person's role in an organization."""

    @extend_schema(
        summary="One member",
        responses={200: MemberSerializer, 404: MEMBER_NOT_FOUND, **BAD_TOKEN, **THROTTLED},
    )
    def get(self, request: Request, slug: str, username: str) -> Response:
        organization = self.organization(request, slug)
        return self.member_response(self.member(request, organization, username))

    @extend_schema(
        summary="Change a member's role",
        description="For the organization's admins and curators, with a token that has "
        "the `write` scope for it. Demoting the organization's last admin is a 409, "
        "unless a curator does it.",
        request=MemberChangeSerializer,
        responses={
            200: OpenApiResponse(MemberSerializer, description="The member, changed."),
            404: MEMBER_NOT_FOUND,
            **MEMBER_WRITE_RESPONSES,
        },
    )
    def patch(self, request: Request, slug: str, username: str) -> Response:
        token = request_token(request)
        with transaction.atomic():
            organization, membership = self.member_to_change(request, slug, username, token)
            check_body(request.data, CHANGEABLE, {**READ_ONLY, "username": PERSON_FIXED})
            before = membership.role
            data = {
                "username": username,
                "organization": organization.pk,
                "role": membership.role,  # left out: kept, as PATCH keeps what it is not sent
                **request.data,
            }
            form = MembershipForm(data=data, instance=membership)
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            if form.has_changed():
                try:
                    save_membership(
                        form.save(commit=False),
                        by=request.user,
                        token=token,
                        reason=f"Role changed over the API: {before} to {membership.role}",
                    )
                except LastAdminError as refusal:
                    return conflict(refusal)
        return self.member_response(membership)

    @extend_schema(
        summary="Remove a member",
        description="For the organization's admins and curators, with a token that has "
        "the `write` scope for it. The person's API tokens stop acting for the "
        "organization at once. Removing its last admin is a 409, unless a curator does it.",
        request=None,
        responses={
            204: OpenApiResponse(description="Removed."),
            404: MEMBER_NOT_FOUND,
            **{code: r for code, r in MEMBER_WRITE_RESPONSES.items() if code not in (400, 413)},
        },
    )
    def delete(self, request: Request, slug: str, username: str) -> Response:
        token = request_token(request)
        with transaction.atomic():
            _, membership = self.member_to_change(request, slug, username, token)
            try:
                remove_memberships(
                    Membership.objects.filter(pk=membership.pk),
                    by=request.user,
                    token=token,
                    reason="Removed over the API",
                )
            except LastAdminError as refusal:
                return conflict(refusal)
        return Response(status=status.HTTP_204_NO_CONTENT)
