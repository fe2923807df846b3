"""The review workflow over the API: `POST .../submit/`, `.../publish/`, `.../send-back/`,
`.../deprecate/`, `.../withdraw/`, `.../restore/`, through the workflow's own transitions,
with a token, the entry's ETag in If-Match, and one history row naming user and token.

Who may take which transition in which status is the workflow's (tests/test_workflow.py)
and is tried cell by cell in tests/test_api_matrix.py; this file pins the API's own
answers: 401, 404, 403, 428, 412, 400, 409 and 200, and what each leaves behind.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from catalog.api.preconditions import IF_MATCH_REQUIRED, IF_MATCH_WILDCARD, WRITES_NEED_BEARER
from catalog.members import create_curator
from catalog.models import Artifact, ArtifactStatus, MembershipRole
from catalog.tokens import issue_token, revoke_token
from tests.factories import make_artifact, make_member, make_organization

pytestmark = pytest.mark.django_db

S = ArtifactStatus


@pytest.fixture
def ibm():
    return make_organization("ibm")


@pytest.fixture
def meta():
    return make_organization("meta")


@pytest.fixture
def editor(ibm):
    return make_member(ibm, MembershipRole.EDITOR, "ibm-editor")


@pytest.fixture
def org_admin(ibm):
    return make_member(ibm, MembershipRole.ADMIN, "ibm-admin")


@pytest.fixture
def curator():
    return create_curator("the-curator", password=None)


@pytest.fixture
def draft(ibm):
    return make_artifact("granite-x", lead=ibm, status=S.DRAFT, license="Apache-2.0")


def secret_of(user, *organizations, scopes=("read", "write", "submit")) -> str:
    issued = issue_token(user=user, name="ci", organizations=organizations, scopes=scopes)
    return issued.secret


def url(artifact: Artifact, action: str = "") -> str:
    base = f"/api/v1/artifacts/{artifact.namespace}/{artifact.slug}/"
    return f"{base}{action}/" if action else base


def post(client, artifact, action, secret=None, *, if_match=None, body=None):
    headers = {}
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    if if_match is not None:
        headers["HTTP_IF_MATCH"] = if_match
    return client.post(
        url(artifact, action), body if body is not None else {}, "application/json", **headers
    )


def current(artifact: Artifact) -> str:
    return Artifact.objects.get(pk=artifact.pk).etag


def etag(client, artifact, secret=None) -> str:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    response = client.get(url(artifact), **headers)
    assert response.status_code == 200
    return response["ETag"]


def snapshot(artifact: Artifact) -> tuple:
    """The row and its history, to show that a refused write changed neither."""
    row = Artifact.objects.filter(pk=artifact.pk).values().get()
    return row, artifact.history.count()


# ------------------------------------------------------------------------------
# The way through
# ------------------------------------------------------------------------------
def test_an_editors_token_submits_a_draft(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    tag = etag(client, draft, secret)
    history_before = draft.history.count()

    response = post(client, draft, "submit", secret, if_match=tag, body={"note": "v1.2"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"
    assert response["ETag"] != tag
    assert response["ETag"] == etag(client, draft, secret)
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW
    # One transaction, one history row: the user and the token it came through.
    assert draft.history.count() == history_before + 1
    record = draft.history.first()
    assert record.history_user == editor
    assert record.history_api_token.name == "ci"
    assert record.history_change_reason == "Submit for review: v1.2"


def test_the_write_answer_is_what_get_shows(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    response = post(client, draft, "submit", secret, if_match=etag(client, draft, secret))
    again = client.get(url(draft), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.json() == again.json()


def test_a_curator_publishes_and_sends_back(client, curator, ibm, editor, draft):
    Artifact.objects.filter(pk=draft.pk).update(status=S.IN_REVIEW)
    secret = secret_of(curator, ibm, scopes=("read", "publish"))

    refused = post(client, draft, "send-back", secret, if_match=current(draft))
    assert refused.status_code == 400
    assert refused.json() == {"note": ["Give a note for the editors to send back ibm/granite-x."]}

    sent = post(
        client, draft, "send-back", secret, if_match=current(draft), body={"note": "Cite it."}
    )
    assert sent.status_code == 200
    draft.refresh_from_db()
    assert (draft.status, draft.review_note) == (S.DRAFT, "Cite it.")

    submitted = post(
        client, draft, "submit", secret_of(editor, ibm), if_match=etag(client, draft, secret)
    )
    assert submitted.status_code == 200
    published = post(client, draft, "publish", secret, if_match=submitted["ETag"])
    assert published.status_code == 200, published.content
    draft.refresh_from_db()
    assert draft.status == S.PUBLISHED
    assert draft.published_at is not None
    assert draft.review_note == ""  # answered


def test_an_organization_admin_withdraws_with_a_public_reason(client, org_admin, ibm):
    entry = make_artifact("granite-y", lead=ibm, status=S.PUBLISHED)
    secret = secret_of(org_admin, ibm, scopes=("write",))
    before = snapshot(entry)

    missing = post(client, entry, "withdraw", secret, if_match=etag(client, entry))
    assert missing.status_code == 400
    assert list(missing.json()) == ["note"]
    assert snapshot(entry) == before

    done = post(
        client, entry, "withdraw", secret, if_match=etag(client, entry), body={"note": "Leaked."}
    )
    assert done.status_code == 200
    assert done.json()["withdrawn_reason"] == "Leaked."
    entry.refresh_from_db()
    assert entry.status == S.WITHDRAWN


def test_deprecate_then_restore(client, org_admin, curator, ibm):
    entry = make_artifact("granite-z", lead=ibm, status=S.PUBLISHED)
    deprecated = post(
        client, entry, "deprecate", secret_of(org_admin, ibm, scopes=("write",)),
        if_match=etag(client, entry),
    )  # fmt: skip
    assert deprecated.status_code == 200
    assert deprecated.json()["status"] == "deprecated"
    restored = post(
        client, entry, "restore", secret_of(curator, ibm, scopes=("publish",)),
        if_match=deprecated["ETag"],
    )  # fmt: skip
    assert restored.status_code == 200
    assert restored.json()["status"] == "published"


# ------------------------------------------------------------------------------
# Refusals, each leaving the row and its history as they were
# ------------------------------------------------------------------------------
def test_without_a_token_the_answer_is_401_with_the_challenge(client, editor, draft):
    before = snapshot(draft)
    response = post(client, draft, "submit", if_match='"1.1"')
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {"detail": WRITES_NEED_BEARER}
    assert snapshot(draft) == before


def test_a_signed_in_session_does_not_write_over_the_api(client, editor, draft):
    client.force_login(editor)
    response = post(client, draft, "submit", if_match=current(draft))
    assert response.status_code == 401


def test_a_foreign_bearer_is_anonymous_and_never_echoed(client, draft):
    response = post(client, draft, "submit", "hf_abcdefghijklmnop", if_match='"1.1"')
    assert response.status_code == 401
    assert b"hf_abcdefghijklmnop" not in response.content


def test_a_revoked_token_is_refused(client, editor, ibm, draft):
    issued = issue_token(user=editor, name="ci", organizations=[ibm], scopes=["submit"])
    revoke_token(issued.token)
    response = post(client, draft, "submit", issued.secret, if_match=current(draft))
    assert response.status_code == 401
    assert "invalid_token" in response["WWW-Authenticate"]


def test_an_entry_its_user_cannot_see_is_404(client, meta, draft):
    outsider = make_member(meta, MembershipRole.EDITOR, "meta-editor")
    before = snapshot(draft)
    response = post(client, draft, "submit", secret_of(outsider, meta), if_match='"x"')
    assert response.status_code == 404
    assert snapshot(draft) == before


def test_a_token_without_the_scope_is_403_though_its_user_may(client, editor, ibm, draft):
    secret = secret_of(editor, ibm, scopes=("read", "write"))
    before = snapshot(draft)
    response = post(client, draft, "submit", secret, if_match=etag(client, draft, secret))
    assert response.status_code == 403
    assert "'submit' scope" in response.json()["detail"]
    assert snapshot(draft) == before


def test_a_token_for_another_organization_neither_sees_nor_submits(
    client, editor, ibm, meta, draft
):
    # The user edits for IBM, but this token acts only for Meta: IBM's draft is not
    # among what it reads, so it is not found, as for anyone who may not see it.
    from catalog.models import Membership

    Membership.objects.create(user=editor, organization=meta, role=MembershipRole.EDITOR)
    secret = secret_of(editor, meta)
    assert client.get(url(draft), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    response = post(client, draft, "submit", secret, if_match=draft.etag)
    assert response.status_code == 404
    # The user's own session, and a token for IBM, see it.
    client.force_login(editor)
    assert client.get(url(draft)).status_code == 200
    client.logout()
    ibm_secret = issue_token(user=editor, name="ibm", organizations=[ibm], scopes=["read"]).secret
    assert client.get(url(draft), HTTP_AUTHORIZATION=f"Bearer {ibm_secret}").status_code == 200


def test_a_user_the_workflow_refuses_is_403_with_its_sentence(client, editor, ibm, draft):
    Artifact.objects.filter(pk=draft.pk).update(status=S.IN_REVIEW)
    secret = secret_of(editor, ibm)
    response = post(client, draft, "publish", secret, if_match=etag(client, draft, secret))
    assert response.status_code == 403
    assert response.json() == {"detail": "Only curators may publish an entry."}


def test_without_if_match_the_answer_is_428(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    before = snapshot(draft)
    response = post(client, draft, "submit", secret)
    assert response.status_code == 428
    assert response.json() == {"detail": IF_MATCH_REQUIRED}
    wildcard = post(client, draft, "submit", secret, if_match="*")
    assert wildcard.status_code == 428
    assert wildcard.json() == {"detail": IF_MATCH_WILDCARD}
    assert snapshot(draft) == before


def test_a_stale_if_match_is_412_with_the_entry_as_it_is_now(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    old = etag(client, draft, secret)
    draft.summary = "Changed in the admin meanwhile."
    draft.save()
    before = snapshot(draft)

    response = post(client, draft, "submit", secret, if_match=old)

    assert response.status_code == 412
    assert response["ETag"] != old
    assert response["ETag"] == etag(client, draft, secret)
    assert response.json()["summary"] == "Changed in the admin meanwhile."
    assert snapshot(draft) == before


def test_if_match_may_list_several_tags(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    tags = f'"0.0", {etag(client, draft, secret)}'
    assert post(client, draft, "submit", secret, if_match=tags).status_code == 200


def test_a_transition_the_status_does_not_allow_is_409(client, editor, ibm):
    entry = make_artifact("granite-p", lead=ibm, status=S.PUBLISHED)
    secret = secret_of(editor, ibm)
    before = snapshot(entry)
    response = post(client, entry, "submit", secret, if_match=etag(client, entry))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "ibm/granite-p is published; only an entry that is draft can be submitted."
    }
    assert snapshot(entry) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "published"}, "status"),
        ({"note": "ok", "published_at": "2024-01-01T00:00:00Z"}, "published_at"),
        ({"note": 7 * "x" * 400}, "note"),
    ],
)
def test_a_bad_body_is_400_naming_the_field(client, editor, ibm, draft, body, field):
    secret = secret_of(editor, ibm)
    before = snapshot(draft)
    response = post(client, draft, "submit", secret, if_match=current(draft), body=body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(draft) == before


def test_a_body_that_is_not_an_object_is_400(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    response = client.post(
        url(draft, "submit"),
        "[1, 2]",
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IF_MATCH=current(draft),
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send a JSON object."]}


def test_malformed_json_is_400(client, editor, ibm, draft):
    secret = secret_of(editor, ibm)
    response = client.post(
        url(draft, "submit"),
        "{not json",
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IF_MATCH=current(draft),
    )
    assert response.status_code == 400


def test_a_transition_costs_a_bounded_number_of_queries(
    client, editor, ibm, draft, django_assert_max_num_queries
):
    secret = secret_of(editor, ibm)
    tag = etag(client, draft, secret)
    # 48: the save rewrites the entry's search document (text and card) and its facet
    # values (a delete and an insert), in one batch.
    with django_assert_max_num_queries(48):
        response = post(client, draft, "submit", secret, if_match=tag)
    assert response.status_code == 200


# ------------------------------------------------------------------------------
# The ETag
# ------------------------------------------------------------------------------
def test_every_save_moves_the_etag_on(draft):
    tag = Artifact.objects.get(pk=draft.pk).etag
    draft.summary = "Another summary."
    draft.save()
    assert Artifact.objects.get(pk=draft.pk).etag != tag
    count = draft.edit_count
    draft.save(update_fields=["summary"])  # even a save of chosen fields
    assert Artifact.objects.get(pk=draft.pk).edit_count == draft.edit_count == count + 1


def test_a_revert_never_brings_back_an_etag_already_used(ibm):
    entry = make_artifact("granite-r", lead=ibm, status=S.PUBLISHED)
    used = {entry.etag}
    for summary in ("Two.", "Three."):
        entry.summary = summary
        entry.save()
        used.add(entry.etag)
    oldest = entry.history.earliest().instance
    oldest.save()  # what the admin's revert does
    assert Artifact.objects.get(pk=entry.pk).etag not in used


def test_the_detail_answers_its_etag(client, ibm):
    entry = make_artifact("granite-e", lead=ibm, status=S.PUBLISHED)
    response = client.get(url(entry))
    assert response["ETag"] == entry.etag == f'"{entry.pk}.{entry.edit_count}"'


def test_a_history_row_without_a_token_names_none(ibm):
    entry = make_artifact("granite-h", lead=ibm, status=S.DRAFT)
    entry.summary = "Edited in the admin."
    entry._history_user = User.objects.create(username="someone")
    entry.save()
    assert entry.history.first().history_api_token is None
    assert entry.history.first().history_user.username == "someone"
