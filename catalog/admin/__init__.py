"""Curation in the Django admin: member workspaces and the curators' review desk.

One module per admin; `scoping` holds the org-scoping every admin shares, `review` the
workflow actions and buttons, `forms` the validation with its messages.
"""

from catalog.admin import artifacts, memberships, reference, relations  # noqa: F401
