"""Plain factory functions: each makes one valid row, with overrides by keyword."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import User
from django.utils import timezone

from catalog.licenses import set_artifact_license
from catalog.models import (
    PUBLIC_STATUSES,
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    Membership,
    Organization,
)

_numbers = itertools.count(1)


def make_organization(slug: str | None = None, **fields) -> Organization:
    number = next(_numbers)
    slug = slug or f"org-{number}"
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("kind", "company")
    return Organization.objects.create(slug=slug, **fields)


def make_artifact(
    slug: str | None = None,
    *,
    lead: Organization | None = None,
    contributors: tuple[Organization, ...] = (),
    license: str = "",
    status: str = ArtifactStatus.PUBLISHED,
    kind: str = ArtifactKind.MODEL,
    **fields,
) -> Artifact:
    number = next(_numbers)
    lead = lead or make_organization()
    slug = slug or f"artifact-{number}"
    fields.setdefault("name", slug.replace("-", " ").title())
    fields.setdefault("summary", f"The {fields['name']} {kind}.")
    if status == ArtifactStatus.WITHDRAWN:
        fields.setdefault("withdrawn_reason", "Withdrawn by its makers.")
    if status in PUBLIC_STATUSES:
        fields.setdefault("published_at", timezone.now())
    artifact = Artifact.objects.create(
        namespace=lead.slug, slug=slug, kind=kind, status=status, **fields
    )
    Contribution.objects.create(artifact=artifact, organization=lead, role=ContributionRole.LEAD)
    for organization in contributors:
        Contribution.objects.create(
            artifact=artifact, organization=organization, role=ContributionRole.CONTRIBUTOR
        )
    if license:
        set_artifact_license(artifact, license)
    return artifact


def make_user(username: str | None = None, **fields) -> User:
    username = username or f"user-{next(_numbers)}"
    return User.objects.create_user(username=username, password="a-long-test-password", **fields)


def make_member(organization: Organization, role: str, username: str | None = None) -> User:
    user = make_user(username, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def admin_entry_form(lead: Organization, **fields) -> dict:
    """What the admin's add-entry form posts for a minimal model led by `lead`."""
    data = {
        "lead_organization": lead.pk,
        "slug": "granite-x",
        "name": "Granite X",
        "summary": "A model.",
        "unverified": "{}",
        "formats": "[]",
        "programming_languages": "[]",
    }
    for prefix in ("contributions", "sources", "variants", "openness_components", "relations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(fields)
    return data
