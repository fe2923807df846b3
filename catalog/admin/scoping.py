"""The org-scoping every catalog admin shares: a member sees and changes only rows that
belong to their organizations; curators and superusers see everything.

A subclass says which rows a user may see (`visible_rows`) and change (`editable_rows`),
usually by calling the QuerySet methods of `catalog.models`. Everything else follows:
the changelist, counts, filters, search and autocomplete start from `get_queryset`;
an object outside it answers 404 on its change, delete and history pages (the same
answer as for an id that does not exist, so nothing is revealed); a visible object the
user may not change is shown read-only, and a write to it answers 403.

History pages come from django-simple-history, scoped the same way; only curators may
revert to an earlier version.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from catalog.admin.versions import VersionHelper
from catalog.models.roles import is_curator

# A link typed without a scheme is read as https (Django 6's default, chosen now).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class OrganizationScopedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose rows are scoped to the user's organizations."""

    formfield_overrides = HTTPS_URLS

    def visible_rows(self, request, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` the user may see in the admin."""
        raise NotImplementedError

    def editable_rows(self, request, queryset: QuerySet) -> QuerySet:
        """The rows of `queryset` the user may change or delete."""
        raise NotImplementedError

    def may_add(self, request) -> bool:
        """Whether the user may add a row at all (for some organization of theirs)."""
        raise NotImplementedError

    # -- rows ---------------------------------------------------------------------------

    def get_queryset(self, request):
        return self.visible_rows(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Outside the user's rows or not there at all: the same answer for both.
            raise Http404("No such entry.")
        return obj

    def _row_is_in(self, request, obj, rows) -> bool:
        """Whether `rows(request, queryset)` keeps `obj`; asked once per request and row."""
        cache = request.__dict__.setdefault("_catalog_row_checks", {})
        model = self.model._meta.concrete_model
        key = (rows.__name__, model, obj.pk)
        if key not in cache:
            cache[key] = rows(request, model._default_manager.filter(pk=obj.pk)).exists()
        return cache[key]

    def _is_editable(self, request, obj) -> bool:
        return self._row_is_in(request, obj, self.editable_rows)

    def _is_visible(self, request, obj) -> bool:
        return self._row_is_in(request, obj, self.visible_rows)

    # -- permissions: Django's model permissions, narrowed to the user's rows -----------

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or obj.pk is None or self._is_visible(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.may_add(request)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return is_curator(request.user) or self.may_add(request)
        return self._is_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return is_curator(request.user) or self.may_add(request)
        return self._is_editable(request, obj)

    # -- history: scoped like the rest; only curators revert ----------------------------

    # The history page diffs each version shown with the one before, a few queries per
    # version (many-to-many fields included): a page of 20 keeps that bounded.
    history_list_per_page = 20
    object_history_list_template = "admin/catalog/history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return VersionHelper(self.model, historical_record)

    def has_view_history_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_change_history_permission(self, request, obj=None):
        return is_curator(request.user) and self.has_change_permission(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        self.get_object(request, unquote(object_id))  # 404 outside the user's rows
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))  # 404 outside the user's rows
        if request.method == "POST" and not self.has_change_history_permission(request, obj):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInline:
    """An inline whose rows may be changed exactly when its parent entry may be."""

    formfield_overrides = HTTPS_URLS

    def _parent_editable(self, request, obj) -> bool:
        parent_admin = self.admin_site._registry.get(self.parent_model)
        if obj is None or obj.pk is None:
            return parent_admin is not None and parent_admin.has_add_permission(request)
        return parent_admin is not None and parent_admin.has_change_permission(request, obj)

    def has_add_permission(self, request, obj):
        return self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._parent_editable(request, obj)

    def has_view_permission(self, request, obj=None):
        parent_admin = self.admin_site._registry.get(self.parent_model)
        return parent_admin is not None and parent_admin.has_view_permission(request, obj)
