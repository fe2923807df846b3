"""Curation in the Django admin: member workspaces and the curators' review desk.

One module per admin; `scoping` holds the org-scoping every admin shares, `review` the
workflow actions and buttons, `forms` the validation with its messages, `versions`
the one history version per save, `login` the sign-in throttling, `tokens` each user's API tokens.
"""

from django.contrib import admin

from catalog.admin import artifacts, memberships, reference, relations, tokens  # noqa: F401
from catalog.admin.login import ThrottledAdminAuthenticationForm

admin.site.login_form = ThrottledAdminAuthenticationForm
# The home page leads with the review queue, the curators' daily work.
admin.site.index_template = "admin/catalog/index.html"
admin.site.site_header = "Alliance Catalog curation"
admin.site.site_title = "Alliance Catalog curation"
admin.site.index_title = "Entries, members and review"
