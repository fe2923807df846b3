"""Memberships: an organization's admins manage who acts for it, and in which role."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models.functions import Lower

from catalog.admin.scoping import OrganizationScopedAdmin
from catalog.members import give_member_access
from catalog.models import Membership, Organization
from catalog.models.roles import is_curator, managing_organization_ids


class MembershipForm(forms.ModelForm):
    """The person is named by username, so no list of accounts is ever shown."""

    username = forms.CharField(
        max_length=150, help_text="The username of an existing account (ask a curator for one)."
    )

    class Meta:
        model = Membership
        fields = ["organization", "role"]

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
        user = getattr(self.instance, "user", None)
        if organization is not None and user is not None:
            taken = Membership.objects.filter(user=user, organization=organization)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("username", f"{user.username} already has a role in {organization}.")
        return cleaned


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        give_member_access(obj.user)
