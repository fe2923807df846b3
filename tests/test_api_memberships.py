"""An organization's people over the API: `/api/v1/organizations/<slug>/members/`.

The matrix is the specification: every caller x list, add, change, remove on the
members of organization A. Answers are decided in this order: 401 (a write without a
good token of ours), 404 (the caller may not see A's members), 403 (the caller, or the
token, may not manage them), 400, 409, else 200 / 201 / 204. Every refused write leaves
the memberships and their history exactly as they were; every done one adds one
history row naming the user and the token.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from catalog.members import create_curator
from catalog.models import ArtifactStatus, Membership, MembershipRole
from catalog.tokens import find_token, issue_token
from tests.factories import make_artifact, make_member, make_organization, make_user

pytestmark = pytest.mark.django_db

ADMIN, EDITOR, VIEWER = MembershipRole.ADMIN, MembershipRole.EDITOR, MembershipRole.VIEWER
ALL_SCOPES = ["read", "write", "submit"]


def members_url(slug: str = "org-a") -> str:
    return f"/api/v1/organizations/{slug}/members/"


def member_url(username: str, slug: str = "org-a") -> str:
    return f"{members_url(slug)}{username}/"


def bearer(secret: str | None) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}


def token(user: User, *organizations, scopes=ALL_SCOPES) -> str:
    return issue_token(user=user, name="ci", organizations=organizations, scopes=scopes).secret


def state() -> tuple:
    """Every membership as it is, and how many history rows they have."""
    rows = sorted(Membership.objects.values_list("user__username", "organization__slug", "role"))
    return rows, Membership.history.count()


@pytest.fixture
def a():
    return make_organization("org-a")


@pytest.fixture
def b():
    return make_organization("org-b")


@pytest.fixture
def admin_a(a):
    return make_member(a, ADMIN, "admin-a")


@pytest.fixture
def target(a):
    """The member the changes and removals are about: an editor of A."""
    return make_member(a, EDITOR, "target")


# -- the matrix ------------------------------------------------------------------------------

CALLERS = (
    "anonymous",
    "foreign_bearer",  # a Hugging Face token sent out of habit: read as anonymous
    "read_only",  # admin of A, with a token that may only read
    "viewer_a",
    "editor_a",
    "admin_a",
    "admin_b",
    "curator",
    "superuser",
)
ACTIONS = ("list", "add", "change", "remove")
SEES_A = {"read_only", "viewer_a", "editor_a", "admin_a", "curator", "superuser"}
MANAGES_A = {"admin_a", "curator", "superuser"}  # with a token that has `write` for A
DONE = {"list": 200, "add": 201, "change": 200, "remove": 204}


def expected(caller: str, action: str) -> int:
    if action != "list" and caller in ("anonymous", "foreign_bearer"):
        return 401
    if caller not in SEES_A:
        return 404
    if action != "list" and caller not in MANAGES_A:
        return 403
    return DONE[action]


def caller_secret(caller: str, a, b, admin_a) -> str | None:
    if caller == "anonymous":
        return None
    if caller == "foreign_bearer":
        return "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ"
    if caller == "read_only":
        return token(admin_a, a, scopes=["read"])
    if caller == "admin_a":
        return token(admin_a, a)
    if caller == "curator":
        return token(create_curator("curator", password=None), a, b, scopes=[*ALL_SCOPES])
    if caller == "superuser":
        return token(User.objects.create_superuser("root", password=None), a, b)
    if caller == "admin_b":
        return token(make_member(b, ADMIN, "admin-b"), b)
    role = {"viewer_a": VIEWER, "editor_a": EDITOR}[caller]
    return token(make_member(a, role, caller.replace("_", "-")), a)


def act(client, action: str, secret: str | None):
    headers = bearer(secret)
    if action == "list":
        return client.get(members_url(), **headers)
    if action == "add":
        body = {"username": "newcomer", "role": "editor"}
        return client.post(members_url(), body, "application/json", **headers)
    if action == "change":
        return client.patch(member_url("target"), {"role": "viewer"}, "application/json", **headers)
    return client.delete(member_url("target"), **headers)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("caller", CALLERS)
def test_cell(client, a, b, admin_a, target, caller, action):
    make_user("newcomer")
    secret = caller_secret(caller, a, b, admin_a)
    before = state()

    response = act(client, action, secret)

    want = expected(caller, action)
    assert response.status_code == want, response.content[:300]
    if want == 200 and action == "list":
        assert {m["username"] for m in response.json()} >= {"admin-a", "target"}
    if want in (200, 201, 204) and action != "list":
        assert Membership.history.count() == before[1] + 1
        record = Membership.history.latest("history_id")
        assert record.history_user.username == {"admin_a": "admin-a", "superuser": "root"}.get(
            caller, caller
        )
        assert record.history_api_token.name == "ci"
        assert record.history_type == {"add": "+", "change": "~", "remove": "-"}[action]
    else:
        assert state() == before


def test_the_table_has_every_kind_of_answer():
    answers = [expected(c, a) for c in CALLERS for a in ACTIONS]
    for status in (200, 201, 204, 401, 403, 404):
        assert answers.count(status) >= 2, status


# -- reading -------------------------------------------------------------------------------


def test_the_list_names_each_person_and_role_in_username_order(client, a, admin_a, target):
    make_member(a, VIEWER, "Bea")
    make_member(make_organization("org-b"), EDITOR, "elsewhere")
    client.force_login(target)  # a signed-in member reads with their session too
    response = client.get(members_url())
    assert response.status_code == 200
    body = response.json()
    assert [(m["username"], m["role"]) for m in body] == [
        ("admin-a", "admin"),
        ("Bea", "viewer"),
        ("target", "editor"),
    ]
    assert all(m["created_at"].endswith("Z") for m in body)
    one = client.get(member_url("Bea")).json()
    assert one == body[1]


def test_the_public_is_told_plainly_that_the_members_are_not_public(client, a, admin_a):
    response = client.get(members_url())
    assert response.status_code == 404
    assert response.json()["detail"] == "Only Org A's own members and curators see its members."
    assert client.get(member_url("admin-a")).status_code == 404


def test_unknown_organizations_and_members_are_404_saying_which(client, a, admin_a):
    secret = token(admin_a, a)
    response = client.get(members_url("nobody"), **bearer(secret))
    assert response.status_code == 404
    assert "No organization 'nobody'" in response.json()["detail"]
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(
            member_url("ghost"), {"role": "viewer"}, "application/json", **bearer(secret)
        )
        assert response.status_code == 404, method
        assert response.json()["detail"] == "ghost is not a member of Org A."


@pytest.mark.parametrize("members", [3, 30])
def test_the_list_costs_the_same_queries_for_3_or_30_members(
    client, a, admin_a, members, django_assert_max_num_queries
):
    for number in range(members - 1):
        make_member(a, VIEWER, f"person-{number}")
    secret = token(admin_a, a)
    client.get(members_url(), **bearer(secret))  # the token's last use is written once
    with django_assert_max_num_queries(5):
        response = client.get(members_url(), **bearer(secret))
    assert len(response.json()) == members


# -- writing -------------------------------------------------------------------------------


def test_adding_gives_the_role_the_admin_access_and_a_location(client, a, admin_a):
    newcomer = make_user("newcomer")
    response = client.post(
        members_url(),
        {"username": "newcomer", "role": "viewer"},
        "application/json",
        **bearer(token(admin_a, a)),
    )
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "newcomer"
    assert response["Location"] == "http://testserver/api/v1/organizations/org-a/members/newcomer/"
    assert Membership.objects.get(user=newcomer).role == VIEWER
    newcomer.refresh_from_db()
    assert newcomer.is_staff  # may sign in to the admin, as the admin's own add gives
    record = Membership.history.get(user_id=newcomer.pk)
    assert (record.history_change_reason, record.history_user) == ("Added over the API", admin_a)


def test_a_change_answers_the_member_and_says_what_changed(client, a, admin_a, target):
    response = client.patch(
        member_url("target"), {"role": "admin"}, "application/json", **bearer(token(admin_a, a))
    )
    assert response.status_code == 200
    assert response.json()["role"] == "admin"
    record = Membership.history.latest("history_id")
    assert record.history_change_reason == "Role changed over the API: editor to admin"


def test_a_change_to_the_same_role_writes_nothing(client, a, admin_a, target):
    before = state()
    secret = token(admin_a, a)
    for body in ({"role": "editor"}, {}):
        response = client.patch(member_url("target"), body, "application/json", **bearer(secret))
        assert response.status_code == 200
        assert response.json()["role"] == "editor"
    assert state() == before


BAD_ADDS = [
    ({"username": "nobody", "role": "viewer"}, "username", "No active account is named 'nobody'"),
    ({"username": "sleeper", "role": "viewer"}, "username", "No active account is named"),
    ({"username": "target", "role": "viewer"}, "username", "target already has a role in Org A."),
    (
        {"username": "newcomer", "role": "boss"},
        "role",
        "Unknown role 'boss'. Choose one of: admin, editor, viewer.",
    ),
    ({"username": "newcomer"}, "role", "This field is required."),
    ({"role": "viewer"}, "username", "This field is required."),
    (
        {"username": "newcomer", "role": "viewer", "organization": "org-b"},
        "organization",
        "read-only: the organization is the one in the URL",
    ),
    (
        {"username": "newcomer", "role": "viewer", "created_at": "2020-01-01T00:00:00Z"},
        "created_at",
        "read-only",
    ),
    ({"username": "newcomer", "role": "viewer", "user": 1}, "user", "Unknown field."),
    (["newcomer"], "non_field_errors", "Send a JSON object."),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_ADDS)
def test_a_bad_addition_is_400_naming_the_field_and_nothing_changes(
    client, a, admin_a, target, body, field, message
):
    make_user("newcomer")
    make_user("sleeper", is_active=False)
    before = state()
    response = client.post(members_url(), body, "application/json", **bearer(token(admin_a, a)))
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert state() == before


BAD_CHANGES = [
    ({"role": "boss"}, "role", "Unknown role 'boss'."),
    ({"role": "viewer", "username": "someone"}, "username", "person does not change"),
    ({"role": "viewer", "organization": "org-b"}, "organization", "read-only"),
    ({"role": "viewer", "created_at": "2020-01-01T00:00:00Z"}, "created_at", "read-only"),
    ({"title": "Dr"}, "title", "Unknown field. A membership takes: role."),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_CHANGES)
def test_a_bad_change_is_400_naming_the_field_and_nothing_changes(
    client, a, admin_a, target, body, field, message
):
    before = state()
    response = client.patch(
        member_url("target"), body, "application/json", **bearer(token(admin_a, a))
    )
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert state() == before


def test_a_signed_in_session_does_not_write(client, a, admin_a, target):
    client.force_login(admin_a)
    before = state()
    response = client.delete(member_url("target"))
    assert response.status_code == 401
    assert "Writes need an API token" in response.json()["detail"]
    assert state() == before


def test_the_token_must_have_write_for_this_organization(client, a, b, admin_a, target):
    """Admin of A and B (or a curator), with a token for B only: A's members are off."""
    Membership.objects.create(user=admin_a, organization=b, role=ADMIN)
    curator = create_curator("curator", password=None)
    before = state()
    for secret in (token(admin_a, b), token(curator, b, scopes=["read", "write"])):
        response = client.delete(member_url("target"), **bearer(secret))
        assert response.status_code == 403
        assert "needs the 'write' scope for org-a" in response.json()["detail"]
    assert state() == before


def test_an_editor_is_told_who_may(client, a, target):
    response = client.delete(member_url("target"), **bearer(token(target, a)))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "You may not change Org A's members: only its admins and curators may."
    )


# -- an organization keeps an admin --------------------------------------------------------


@pytest.mark.parametrize("action", ["demote", "remove"])
def test_the_last_admin_cannot_be_demoted_or_removed_by_an_admin(client, a, admin_a, action):
    before = state()
    secret = token(admin_a, a)
    if action == "demote":
        response = client.patch(
            member_url("admin-a"), {"role": "editor"}, "application/json", **bearer(secret)
        )
    else:
        response = client.delete(member_url("admin-a"), **bearer(secret))
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "Org A would be left without an admin. Make another member an admin first; only a "
        "curator may leave an organization without one."
    )
    assert state() == before


def test_with_two_admins_one_may_step_down_and_then_the_other_may_not(client, a, admin_a):
    second = make_member(a, ADMIN, "admin-two")
    first_secret, second_secret = token(admin_a, a), token(second, a)
    response = client.patch(
        member_url("admin-a"), {"role": "viewer"}, "application/json", **bearer(first_secret)
    )
    assert response.status_code == 200  # admin-a steps down while admin-two remains
    response = client.delete(member_url("admin-two"), **bearer(second_secret))
    assert response.status_code == 409
    assert Membership.objects.get(user=second).role == ADMIN


@pytest.mark.parametrize("action", ["demote", "remove"])
def test_a_curator_may_leave_an_organization_without_an_admin(client, a, admin_a, action):
    secret = token(create_curator("curator", password=None), a)
    if action == "demote":
        response = client.patch(
            member_url("admin-a"), {"role": "viewer"}, "application/json", **bearer(secret)
        )
        assert response.status_code == 200
    else:
        response = client.delete(member_url("admin-a"), **bearer(secret))
        assert response.status_code == 204
    assert not Membership.objects.filter(organization=a).admins().exists()


def test_the_organizations_left_without_an_admin():
    a, b, c = (make_organization(slug) for slug in ("org-a", "org-b", "org-c"))
    a1, a2 = make_member(a, ADMIN, "a1"), make_member(a, ADMIN, "a2")
    b1, b_editor = make_member(b, ADMIN, "b1"), make_member(b, EDITOR, "b-editor")
    make_member(c, EDITOR, "c-editor")  # an organization that has none is no concern here

    def left(*users) -> set[str]:
        rows = Membership.objects.filter(user__in=users)
        return set(rows.organizations_left_without_admin().values_list("slug", flat=True))

    assert left(a1) == set()
    assert left(a1, a2) == {"org-a"}
    assert left(b1) == {"org-b"}
    assert left(b_editor) == set()
    assert left(a1, a2, b1, b_editor) == {"org-a", "org-b"}
    assert left() == set()


# -- revoking access -----------------------------------------------------------------------


def test_removing_a_member_disarms_their_tokens_for_that_organization_at_once(
    client, a, b, admin_a, target
):
    Membership.objects.create(user=target, organization=b, role=EDITOR)
    theirs = token(target, a, b)
    draft = {"kind": "model", "name": "Granite", "summary": "A model."}
    created = client.post(
        "/api/v1/artifacts/",
        {**draft, "slug": "before", "lead_organization": "org-a"},
        "application/json",
        **bearer(theirs),
    )
    assert created.status_code == 201

    removed = client.delete(member_url("target"), **bearer(token(admin_a, a)))
    assert removed.status_code == 204

    refused = client.post(
        "/api/v1/artifacts/",
        {**draft, "slug": "after", "lead_organization": "org-a"},
        "application/json",
        **bearer(theirs),
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/artifacts/org-a/before/", **bearer(theirs)).status_code == 404
    assert client.get(members_url(), **bearer(theirs)).status_code == 404
    assert not find_token(theirs).allows("write", a)  # the token itself, found afresh
    assert not find_token(theirs).allows("read", a)
    still = client.post(
        "/api/v1/artifacts/",
        {**draft, "slug": "elsewhere", "lead_organization": "org-b"},
        "application/json",
        **bearer(theirs),
    )
    assert still.status_code == 201  # their other organization is untouched


def test_a_demoted_admins_token_no_longer_manages(client, a, admin_a):
    second = make_member(a, ADMIN, "admin-two")
    demoted_secret = token(second, a)
    response = client.patch(
        member_url("admin-two"),
        {"role": "editor"},
        "application/json",
        **bearer(token(admin_a, a)),
    )
    assert response.status_code == 200
    before = state()
    response = client.delete(member_url("admin-a"), **bearer(demoted_secret))
    assert response.status_code == 403
    assert state() == before


def test_a_published_entry_stays_readable_by_a_removed_member(client, a, admin_a, target):
    """Disarming takes the organization's workspace, not what the public sees."""
    make_artifact("granite", lead=a, status=ArtifactStatus.PUBLISHED)
    theirs = token(target, a)
    client.delete(member_url("target"), **bearer(token(admin_a, a)))
    assert client.get("/api/v1/artifacts/org-a/granite/", **bearer(theirs)).status_code == 200
