"""Memberships: an organization's admins manage who acts for it, and in which role.

The writes go through `catalog.members` (`save_membership`, `remove_memberships`), as
the API's do: an organization keeps at least one admin unless a curator says otherwise,
and each change is one history row naming who made it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.db.models.functions import Lower
from django.shortcuts import redirect

from catalog.admin.scoping import OrganizationScopedAdmin
from catalog.members import (
    UNKNOWN_ROLE,
    LastAdminError,
    check_an_admin_remains,
    check_change_keeps_an_admin,
    remove_memberships,
    save_membership,
)
from catalog.models import Membership, MembershipRole, Organization
from catalog.models.roles import is_curator, managing_organization_ids


class MembershipForm(forms.ModelForm):
    """The person is named by username, so no list of accounts is ever shown.

    The API validates its bodies with this form too (`catalog.api.memberships`)."""

    username = forms.CharField(
        max_length=150, help_text="The username of an existing account (ask a curator for one)."
    )
    # Set by the admin: who is saving, for the rule that an organization keeps an admin,
    # shown here as a mistake in the form. The API leaves it unset and answers that
    # rule's refusal (from `save_membership`) as a conflict, 409, not as a bad field.
    user = None

    class Meta:
        model = Membership
        fields = ["organization", "role"]
        error_messages = {
            "role": {
                "invalid_choice": UNKNOWN_ROLE.format(
                    role="%(value)s", choices=", ".join(MembershipRole.values)
                )
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["username"].initial = self.instance.user.username

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                f"No active account is named '{username}'. A curator creates accounts with "
                "`manage.py create_member`."
            )
        self.instance.user = user
        return username

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization")
        role = cleaned.get("role")
        user = getattr(self.instance, "user", None)
        if organization is not None and user is not None:
            taken = Membership.objects.filter(user=user, organization=organization)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("username", f"{user.username} already has a role in {organization}.")
        if self.user is not None and organization is not None and role:
            try:
                check_change_keeps_an_admin(
                    self.instance, organization=organization, role=role, by=self.user
                )
            except LastAdminError as refusal:
                self.add_error("role", str(refusal))
        return cleaned


def delete_selected_keeping_an_admin(modeladmin, request, queryset):
    """Django's "Delete selected" action, refused with a message when it would leave an
    organization without an admin."""
    try:
        check_an_admin_remains(queryset, by=request.user)
    except LastAdminError as refusal:
        modeladmin.message_user(request, str(refusal), messages.ERROR)
        return None
    return delete_selected(modeladmin, request, queryset)


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    form = MembershipForm
    fields = ["username", "organization", "role"]
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name", "organization__slug"]
    list_select_related = ["user", "organization"]
    ordering = [Lower("organization__name"), Lower("user__username")]  # as people read

    def visible_rows(self, request, queryset):
        return queryset.visible_to(request.user)

    def editable_rows(self, request, queryset):
        return queryset.managed_by(request.user)

    def may_add(self, request) -> bool:
        return is_curator(request.user) or bool(managing_organization_ids(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization" and not is_curator(request.user):
            managed = managing_organization_ids(request.user)
            kwargs["queryset"] = Organization.objects.filter(pk__in=managed)
            if len(managed) == 1:
                kwargs["initial"] = next(iter(managed))  # nothing to choose
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions[name] = (delete_selected_keeping_an_admin, name, description)
        return actions

    def save_model(self, request, obj, form, change):
        save_membership(obj, by=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        """The last admin's delete page says at once why it cannot be deleted."""
        obj = self.get_object(request, unquote(object_id))  # 404 outside the user's rows
        if self.has_delete_permission(request, obj):
            try:
                check_an_admin_remains(Membership.objects.filter(pk=obj.pk), by=request.user)
            except LastAdminError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return redirect("admin:catalog_membership_change", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        remove_memberships(Membership.objects.filter(pk=obj.pk), by=request.user)

    def delete_queryset(self, request, queryset):
        remove_memberships(queryset, by=request.user)
