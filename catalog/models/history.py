"""What the history tables add to django-simple-history's own columns.

Imports nothing of ours: entries' and memberships' history both take `TokenHistory`
as a base, and name the token by its label so this module sits under both.
"""

from __future__ import annotations

from django.db import models


class TokenHistory(models.Model):
    """A history row's API token: the one a change came through, if any (set from
    `instance._history_api_token`, as `_history_user` sets the user; see
    `catalog.signals.name_the_api_token`)."""

    history_api_token = models.ForeignKey(
        "catalog.ApiToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The API token the change came through; empty for the admin and commands.",
    )

    class Meta:
        abstract = True
