"""Who a user is to the catalog: anonymous, a member's staff, a curator or a superuser.

Visibility itself is written once, on the QuerySets (`published()`, `visible_to(user)`,
`editable_by(user)`); these helpers answer the questions those methods ask.
"""

from django.contrib.auth.models import AnonymousUser, User

CURATORS_GROUP = "curators"


def is_curator(user: User | AnonymousUser) -> bool:
    """Site-wide curators (and superusers) review and publish every member's entries."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_catalog_is_curator", None)
    if cached is None:
        cached = user.groups.filter(name=CURATORS_GROUP).exists()
        user._catalog_is_curator = cached
    return cached
