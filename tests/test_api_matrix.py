"""Who may write what over the API: every caller x every write endpoint x entries of
organizations A and B in draft, in review, published and withdrawn.

The tables below are the specification. Answers are decided in this order: 401 (no
good token of ours), 404 (the caller cannot see the entry), 403 (the caller, or the
token, may not do this to it), 409 (the entry's status does not allow it), else 200
(204 for DELETE). Every refused cell leaves the row, its history and its search
document exactly as they were; every done cell adds exactly one history row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from catalog.members import create_curator
from catalog.models import (
    Artifact,
    ArtifactSearchDocument,
    ArtifactStatus,
    Membership,
    MembershipRole,
)
from catalog.tokens import issue_token, revoke_token
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db

S = ArtifactStatus
CALLERS = (
    "anonymous",
    "foreign_bearer",  # a Hugging Face token sent out of habit: anonymous
    "expired",  # editor of A's token, expired
    "revoked",  # editor of A's token, revoked
    "read_only",  # editor of A's token with only the read scope
    "viewer_a",
    "editor_a",
    "editor_b",
    "admin_a",
    "curator",
    "superuser",
)
ENTRIES = {
    f"{org}_{status}": (org, status)
    for org in ("a", "b")
    for status in ("draft", "in_review", "published", "withdrawn")
}
ENDPOINTS = (
    "submit",
    "publish",
    "send-back",
    "deprecate",
    "withdraw",
    "restore",
    "patch",
    "put",
    "delete",
)

# -- the specification -----------------------------------------------------------------

UNAUTHENTICATED = {"anonymous", "foreign_bearer", "expired", "revoked"}
CURATORS = {"curator", "superuser"}
# What each caller sees besides published entries (withdrawn ones are not public).
WORKSPACE = {
    "read_only": "a",
    "viewer_a": "a",
    "editor_a": "a",
    "admin_a": "a",
    "editor_b": "b",
}
EDITORS = {"a": {"editor_a", "admin_a"}, "b": {"editor_b"}}
ADMINS = {"a": {"admin_a"}, "b": set()}
# Who may, for an entry of organization "a" or "b" (the workflow's and the admin's rules).
MAY = {
    "submit": lambda org: EDITORS[org] | CURATORS,
    "publish": lambda org: CURATORS,
    "send-back": lambda org: CURATORS,
    "deprecate": lambda org: ADMINS[org] | CURATORS,
    "withdraw": lambda org: ADMINS[org] | CURATORS,
    "restore": lambda org: CURATORS,
    "patch": lambda org: EDITORS[org] | CURATORS,
    "put": lambda org: EDITORS[org] | CURATORS,
    "delete": lambda org: EDITORS[org] | CURATORS,
}
# From which statuses (of the four here) it applies.
APPLIES = {
    "submit": {"draft"},
    "publish": {"in_review"},
    "send-back": {"in_review"},
    "deprecate": {"published"},
    "withdraw": {"published"},
    "restore": {"withdrawn"},
    "patch": {"draft", "in_review", "published", "withdrawn"},
    "put": {"draft", "in_review", "published", "withdrawn"},
    "delete": {"draft"},
}
BODIES = {
    "send-back": {"note": "Cite a source."},
    "withdraw": {"note": "Withdrawn by its makers."},
    "patch": {"summary": "Changed over the API."},
    "put": {"name": "Changed", "summary": "Changed over the API."},
}


def expected(caller: str, endpoint: str, entry: str) -> int:
    org, status = ENTRIES[entry]
    if caller in UNAUTHENTICATED:
        return 401
    sees = caller in CURATORS or status == "published" or WORKSPACE.get(caller) == org
    if not sees:
        return 404
    if caller not in MAY[endpoint](org):
        return 403
    if status not in APPLIES[endpoint]:
        return 409
    return 204 if endpoint == "delete" else 200


CELLS = [(c, e, n) for c in CALLERS for e in ENDPOINTS for n in ENTRIES]


# -- the world: built per cell, only what the cell needs ------------------------------------


def _member(username: str, organization, role: str) -> User:
    user = User.objects.create(username=username, is_staff=True)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def _secret(caller: str, a, b) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "foreign_bearer":
        return "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ"
    all_scopes = ["read", "write", "submit"]
    if caller in CURATORS:
        user = (
            create_curator("curator", password=None)
            if caller == "curator"
            else User.objects.create_superuser("root", password=None)
        )
        scopes, organizations = [*all_scopes, "publish"], [a, b]
    elif caller == "editor_b":
        user, scopes, organizations = _member("editor-b", b, MembershipRole.EDITOR), all_scopes, [b]
    else:
        role = {"viewer_a": MembershipRole.VIEWER, "admin_a": MembershipRole.ADMIN}.get(
            caller, MembershipRole.EDITOR
        )
        user, organizations = _member(caller, a, role), [a]
        scopes = ["read"] if caller == "read_only" else all_scopes
    at = timezone.now() - timedelta(days=100) if caller == "expired" else None
    issued = issue_token(
        user=user,
        name="ci",
        organizations=organizations,
        scopes=scopes,
        **({"at": at} if at else {}),
    )
    if caller == "revoked":
        revoke_token(issued.token)
    return issued.secret


def _entry(name: str, a, b) -> Artifact:
    org, status = ENTRIES[name]
    fields = {"withdrawn_reason": "Gone."} if status == "withdrawn" else {}
    return make_artifact(
        name.replace("_", "-"), lead=a if org == "a" else b, status=status, **fields
    )


def _state(artifact: Artifact) -> tuple:
    row = Artifact.objects.filter(pk=artifact.pk).values().first()
    document = ArtifactSearchDocument.objects.filter(artifact_id=artifact.pk).values().first()
    return row, document, Artifact.history.filter(id=artifact.pk).count()


def _send(client, endpoint: str, artifact: Artifact, secret: str | None):
    url = f"/api/v1/artifacts/{artifact.namespace}/{artifact.slug}/"
    headers = {"HTTP_IF_MATCH": artifact.etag}
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    body = BODIES.get(endpoint, {})
    if endpoint == "delete":
        return client.delete(url, **headers)
    if endpoint in ("patch", "put"):
        return getattr(client, endpoint)(url, body, "application/json", **headers)
    return client.post(f"{url}{endpoint}/", body, "application/json", **headers)


@pytest.mark.parametrize(("caller", "endpoint", "entry"), CELLS)
def test_cell(client, caller, endpoint, entry):
    a, b = make_organization("org-a"), make_organization("org-b")
    artifact = _entry(entry, a, b)
    secret = _secret(caller, a, b)
    artifact = Artifact.objects.get(pk=artifact.pk)
    before = _state(artifact)

    response = _send(client, endpoint, artifact, secret)

    want = expected(caller, endpoint, entry)
    assert response.status_code == want, response.content[:300]
    if want == 200:
        assert Artifact.history.filter(id=artifact.pk).count() == before[2] + 1
        assert response["ETag"] == Artifact.objects.get(pk=artifact.pk).etag
    elif want == 204:
        assert not Artifact.objects.filter(pk=artifact.pk).exists()
    else:
        assert _state(artifact) == before


def test_the_table_has_every_kind_of_answer():
    """The table is no foregone conclusion: each answer occurs, for many cells."""
    answers = [expected(*cell) for cell in CELLS]
    for status in (200, 204, 401, 403, 404, 409):
        assert answers.count(status) >= 4, status
