"""The fuzzer's account, allowed every write so that writes are fuzzed past their 401,
and a few entries for the workflow's transitions to start from."""

from __future__ import annotations

from catalog.members import create_curator, create_member
from catalog.models import ArtifactKind, ArtifactStatus, MembershipRole, Organization, TokenScope
from catalog.tokens import issue_token
from tests.factories import make_artifact

USERNAME = "fuzzer"
# The organization whose entries the fuzzer writes to (tests/fuzz/schemathesis.toml).
ORGANIZATION = "ibm"


def make_fuzzer() -> str:
    """A curator who is also an admin of every organization; its token's secret (for
    every organization and scope)."""
    user = create_curator(USERNAME, password=None)
    organizations = list(Organization.objects.order_by("slug"))
    for organization in organizations:
        create_member(
            USERNAME, organization=organization.slug, role=MembershipRole.ADMIN, password=None
        )
    lead = Organization.objects.get(slug=ORGANIZATION)
    for status, word in ((ArtifactStatus.DRAFT, "draft"), (ArtifactStatus.IN_REVIEW, "review")):
        for kind in ArtifactKind.values:
            make_artifact(f"fuzz-{word}-{kind}", lead=lead, status=status, kind=kind)
    return issue_token(
        user=user, name="schemathesis", organizations=organizations, scopes=TokenScope.values
    ).secret
