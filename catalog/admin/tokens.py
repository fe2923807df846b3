"""API tokens in the admin: each member's staff see and create their own (superusers see
everyone's), the secret is shown once on the page that follows the save, and a token is
revoked with a button on its page or an action on the list. A token is never edited nor
deleted: revoking keeps the record of what it was and when it was used."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog.models import ApiToken, TokenScope
from catalog.models.roles import is_active_user, is_curator
from catalog.models.tokens import DEFAULT_LIFETIME
from catalog.tokens import (
    TokenError,
    check_lifetime,
    check_name,
    check_organizations,
    check_scopes,
    issue_token,
    organizations_open_to,
    revoke_token,
)

LIFETIME_CHOICES = [
    (7, "7 days"),
    (30, "30 days"),
    (90, "90 days"),
    (180, "180 days"),
    (365, "1 year (the longest)"),
]


class ApiTokenForm(forms.ModelForm):
    """A new token's name, organizations, scopes and lifetime, checked by catalog.tokens."""

    scopes = forms.MultipleChoiceField(
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="What the token may do.",
    )
    lifetime = forms.TypedChoiceField(
        label="Expires in",
        choices=LIFETIME_CHOICES,
        coerce=int,
        initial=DEFAULT_LIFETIME.days,
        help_text="A token lives at most a year; create a new one before it expires.",
    )
    user = None  # set by ApiTokenAdmin.get_form: the person signed in

    class Meta:
        model = ApiToken
        fields = ["name", "organizations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organizations = self.fields["organizations"]
        organizations.queryset = organizations_open_to(self.user)
        # A member picks among a few; a curator among every member, with a filter box.
        if is_curator(self.user):
            organizations.widget = FilteredSelectMultiple("organizations", is_stacked=False)
        else:
            organizations.widget = forms.CheckboxSelectMultiple()
        organizations.help_text = (
            "The organizations it acts for: some of yours. It never does more there "
            "than you may do yourself, at the moment of each request."
        )
        organizations.widget.choices = organizations.choices
        if not is_curator(self.user):
            self.fields["scopes"].choices = [
                (value, label)
                for value, label in TokenScope.choices
                if not TokenScope(value).curators_only
            ]

    def _checked(self, field: str, check, *args):
        try:
            return check(*args)
        except TokenError as error:
            self.add_error(field, str(error))
            return None

    def clean(self):
        cleaned = super().clean()
        if "name" in cleaned:
            self._checked("name", check_name, self.user, cleaned["name"])
        scopes = cleaned.get("scopes")
        if scopes is not None:
            scopes = self._checked("scopes", check_scopes, self.user, scopes)
        if scopes is not None and "organizations" in cleaned:
            self._checked(
                "organizations", check_organizations, self.user, cleaned["organizations"], scopes
            )
        if "lifetime" in cleaned:
            self._checked("lifetime", check_lifetime, timedelta(days=cleaned["lifetime"]))
        return cleaned


class TokenStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.active(at=now)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


def short_time(value) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "never"


class IssuedTokenForm(forms.ModelForm):
    """An issued token's page: everything is read-only."""

    class Meta:
        model = ApiToken
        fields = []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "display_prefix",
        "organization_list",
        "scope_list",
        "expires",
        "last_used",
        "revoked",
    ]
    list_filter = [TokenStateFilter]
    search_fields = ["name", "identifier"]
    actions = ["revoke_selected"]
    change_form_template = "admin/catalog/apitoken_change_form.html"
    readonly_fields = [
        "name",
        "owner",
        "display_prefix",
        "organization_list",
        "scope_list",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]

    # -- whose tokens ---------------------------------------------------------------

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        tokens = tokens.prefetch_related("organizations")
        if request.user.is_superuser:
            return tokens
        return tokens.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return ["owner", *self.list_display]
        return self.list_display

    # Any active member's staff may hold tokens: no model permission to grant first.
    def _may_hold_tokens(self, request) -> bool:
        return is_active_user(request.user) and request.user.is_staff

    def has_module_permission(self, request):
        return self._may_hold_tokens(request)

    def has_view_permission(self, request, obj=None):
        if not self._may_hold_tokens(request):
            return False
        return obj is None or request.user.is_superuser or obj.user_id == request.user.pk

    def has_add_permission(self, request):
        return self._may_hold_tokens(request)

    def has_change_permission(self, request, obj=None):
        return False  # a token is never edited: revoke it and create another

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: its record stays

    def has_revoke_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    # -- the form: new tokens only ---------------------------------------------------

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "organizations", "scopes", "lifetime"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = IssuedTokenForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def save_form(self, request, form, change):
        data = form.cleaned_data
        issued = issue_token(
            user=request.user,
            name=data["name"],
            organizations=data["organizations"],
            scopes=data["scopes"],
            lifetime=timedelta(days=data["lifetime"]),
        )
        request._catalog_issued_secret = issued.secret
        return issued.token

    def save_model(self, request, obj, form, change):
        pass  # issue_token saved it

    def save_related(self, request, form, formsets, change):
        pass  # issue_token set its organizations

    def response_add(self, request, obj, post_url_continue=None):
        """The secret, once: this page is the only place it is ever shown."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Copy your new API token now",
            "token": obj,
            "secret": request._catalog_issued_secret,
        }
        # admin_view marks every admin page never_cache (no-store): the secret stays
        # out of every cache.
        return TemplateResponse(request, "admin/catalog/apitoken_issued.html", context)

    # -- revoking ---------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name=f"{opts.app_label}_{opts.model_name}_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        token = self.get_object(request, object_id)
        if token is None:
            raise Http404("No such token.")  # another's or none: the same answer
        if not self.has_revoke_permission(request, token):
            raise PermissionDenied
        if revoke_token(token):
            messages.success(request, f"The token “{token.name}” is revoked; it works no more.")
        else:
            messages.info(request, f"The token “{token.name}” was already revoked.")
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[token.pk])
        )

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = sum(revoke_token(token) for token in queryset)
        messages.success(request, f"{revoked} token(s) revoked; they work no more.")

    # -- columns ---------------------------------------------------------------------

    @admin.display(description="user", ordering="user__username")
    def owner(self, obj):
        return obj.user.username

    @admin.display(description="prefix")
    def display_prefix(self, obj):
        return f"{obj.display_prefix}…"

    @admin.display(description="organizations")
    def organization_list(self, obj):
        return ", ".join(org.slug for org in obj.organizations.all()) or "none"

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj):
        return date_format(timezone.localtime(obj.expires_at), "Y-m-d")

    @admin.display(description="last used", ordering="last_used_at")
    def last_used(self, obj):
        return short_time(obj.last_used_at)

    @admin.display(description="revoked", ordering="revoked_at")
    def revoked(self, obj):
        return date_format(timezone.localtime(obj.revoked_at), "Y-m-d") if obj.revoked_at else "no"
