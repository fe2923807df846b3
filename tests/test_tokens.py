"""API tokens: issued once and stored only as a hash, sent as `Bearer alc_...`, refused
with 401 and a challenge when they are ours but no good, ignored when they are not ours,
never worth more than their user's rights of the moment, counted in a bucket of their
own, and issued alike by the admin and by `manage.py create_token`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory

from catalog.api.authentication import ApiTokenAuthentication
from catalog.members import create_curator
from catalog.models import ApiToken, Membership, MembershipRole, TokenScope
from catalog.models.roles import CURATORS_GROUP
from catalog.tokens import (
    TokenError,
    find_token,
    issue_token,
    parse_lifetime,
    revoke_token,
)
from tests.factories import make_member, make_organization, make_user

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"
CHALLENGE = 'Bearer realm="api", error="invalid_token"'


@pytest.fixture
def ibm():
    return make_organization("ibm")


@pytest.fixture
def meta():
    return make_organization("meta")


@pytest.fixture
def editor(ibm, meta):
    user = make_member(ibm, MembershipRole.EDITOR, "ibm-editor")
    Membership.objects.create(user=user, organization=meta, role=MembershipRole.EDITOR)
    return user


def issue(user, *organizations, scopes=("read", "write"), name="pipeline", **kwargs):
    return issue_token(user=user, name=name, organizations=organizations, scopes=scopes, **kwargs)


def bearer(value: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def every_stored_text() -> str:
    """Every value of every row of every table, as text: where a secret could hide."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            values.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(values)


# ------------------------------------------------------------------------------
# The secret
# ------------------------------------------------------------------------------
def test_the_secret_is_stored_only_as_a_hash(editor, ibm):
    issued = issue(editor, ibm)
    assert issued.secret.startswith("alc_")
    assert len(issued.secret) >= 4 + 43  # 32 random bytes, URL-safe base64
    stored = every_stored_text()
    assert issued.secret not in stored
    assert issued.secret[12:] not in stored  # not even the part after the identifier
    token = issued.token
    assert token.identifier == issued.secret[4:12]
    assert token.display_prefix == issued.secret[:12]
    assert len(token.secret_hash) == 64
    assert token.secret_hash != issued.secret
    assert token.matches(issued.secret)
    assert not token.matches(issued.secret[:-1] + ("A" if issued.secret[-1] != "A" else "B"))


def test_each_token_has_its_own_secret_and_identifier(editor, ibm):
    first, second = issue(editor, ibm, name="one"), issue(editor, ibm, name="two")
    assert first.secret != second.secret
    assert first.token.identifier != second.token.identifier
    assert find_token(first.secret) == first.token
    assert find_token(second.secret) == second.token


def test_a_secret_of_the_right_shape_but_unknown_finds_nothing(editor, ibm):
    issued = issue(editor, ibm)
    forged = issued.secret[:12] + "x" * (len(issued.secret) - 12)
    assert find_token(forged) is None
    assert find_token("alc_short") is None
    assert find_token("hf_" + issued.secret[3:]) is None


# ------------------------------------------------------------------------------
# Expiry
# ------------------------------------------------------------------------------
def test_a_token_lives_ninety_days_by_default(editor, ibm):
    at = timezone.now()
    token = issue(editor, ibm, at=at).token
    assert token.created_at == at
    assert token.expires_at - token.created_at == timedelta(days=90)


@pytest.mark.parametrize(
    ("lifetime", "allowed"),
    [
        (timedelta(days=365), True),
        (timedelta(hours=1), True),
        (timedelta(days=365, seconds=1), False),
        (timedelta(days=400), False),
        (timedelta(0), False),
    ],
)
def test_a_token_lives_at_most_a_year(editor, ibm, lifetime, allowed):
    if allowed:
        token = issue(editor, ibm, lifetime=lifetime).token
        assert token.expires_at - token.created_at == lifetime
    else:
        with pytest.raises(TokenError):
            issue(editor, ibm, lifetime=lifetime)
        assert not ApiToken.objects.exists()


def unchecked_token(user, lifetime: timedelta) -> ApiToken:
    at = timezone.now().replace(microsecond=0)
    return ApiToken(
        user=user,
        name="forever",
        identifier="abcdefgh",
        secret_hash="0" * 64,
        created_at=at,
        expires_at=at + lifetime,
    )


@pytest.mark.parametrize(
    ("lifetime", "constraint"),
    [
        (timedelta(days=366), "apitoken_lifetime_at_most_a_year"),
        (timedelta(days=365, seconds=1), "apitoken_lifetime_at_most_a_year"),
        (timedelta(seconds=-1), "apitoken_expires_after_creation"),
    ],
)
def test_the_database_refuses_a_lifetime_out_of_bounds(editor, lifetime, constraint):
    token = unchecked_token(editor, lifetime)
    with pytest.raises(ValidationError, match=constraint):
        token.validate_constraints()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        token.save()


def test_the_database_takes_a_token_of_exactly_a_year(editor):
    token = unchecked_token(editor, timedelta(days=365))
    token.validate_constraints()
    token.save()
    assert ApiToken.objects.get().expires_at == token.expires_at


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [("90d", timedelta(days=90)), ("12w", timedelta(weeks=12)), ("48h", timedelta(hours=48))],
)
def test_lifetimes_are_read_in_hours_days_and_weeks(text, lifetime):
    assert parse_lifetime(text) == lifetime


@pytest.mark.parametrize("text", ["soon", "90", "d90", "1.5d", "-3d", "90 days", ""])
def test_a_lifetime_that_is_not_one_is_refused(text):
    with pytest.raises(TokenError, match="like 90d"):
        parse_lifetime(text)


# ------------------------------------------------------------------------------
# Issuing: only what the user has
# ------------------------------------------------------------------------------
def test_a_token_acts_only_for_its_users_organizations(editor, ibm):
    stranger = make_organization("stranger")
    with pytest.raises(TokenError, match="not a member of stranger"):
        issue(editor, ibm, stranger)
    assert not ApiToken.objects.exists()


def test_only_curators_tokens_may_publish(editor, ibm):
    with pytest.raises(TokenError, match="Only curators"):
        issue(editor, ibm, scopes=["publish"])
    curator = create_curator("curator", password=None)
    token = issue(curator, ibm, scopes=["publish"]).token
    assert token.scopes == ["publish"]


@pytest.mark.parametrize(
    ("scopes", "message"),
    [([], "at least one scope"), (["delete"], "Unknown scope 'delete'")],
)
def test_scopes_must_be_known(editor, ibm, scopes, message):
    with pytest.raises(TokenError, match=message):
        issue(editor, ibm, scopes=scopes)


def test_a_writing_token_needs_an_organization(editor):
    with pytest.raises(TokenError, match="at least one organization"):
        issue(editor, scopes=["write"])
    assert issue(editor, scopes=["read"]).token.scopes == ["read"]


def test_names_tell_a_users_live_tokens_apart(editor, ibm):
    first = issue(editor, ibm, name="ci")
    with pytest.raises(TokenError, match="already has a token named 'ci'"):
        issue(editor, ibm, name="ci")
    revoke_token(first.token)
    assert issue(editor, ibm, name="ci").token.name == "ci"


# ------------------------------------------------------------------------------
# Authentication over HTTP
# ------------------------------------------------------------------------------
def test_a_live_token_authenticates_as_its_user(client, editor, ibm):
    issued = issue(editor, ibm)
    request = APIRequestFactory().get(API, **bearer(issued.secret))
    user, token = ApiTokenAuthentication().authenticate(request)
    assert user == editor
    assert token == issued.token
    assert client.get(API, **bearer(issued.secret)).status_code == 200


def test_the_token_costs_at_most_two_queries_a_request(client, editor, ibm):
    issued = issue(editor, ibm)
    with CaptureQueriesContext(connection) as anonymous:
        assert client.get(API).status_code == 200
    with CaptureQueriesContext(connection) as first:
        assert client.get(API, **bearer(issued.secret)).status_code == 200
    with CaptureQueriesContext(connection) as later:
        assert client.get(API, **bearer(issued.secret)).status_code == 200
    assert len(first) <= len(anonymous) + 2  # find the token; note its use
    assert len(later) <= len(anonymous) + 1  # used within the minute: no write


def _expired(editor, ibm):
    issued = issue(editor, ibm, at=timezone.now() - timedelta(days=91))
    return issued.secret, "expired"


def _revoked(editor, ibm):
    issued = issue(editor, ibm)
    revoke_token(issued.token)
    return issued.secret, "revoked"


def _unknown(editor, ibm):
    issued = issue(editor, ibm)
    return issued.secret[:-4] + ("AAAA" if issued.secret[-4:] != "AAAA" else "BBBB"), "not valid"


def _deleted(editor, ibm):
    issued = issue(editor, ibm)
    issued.token.delete()
    return issued.secret, "not valid"


def _inactive(editor, ibm):
    issued = issue(editor, ibm)
    editor.is_active = False
    editor.save()
    return issued.secret, "inactive"


def _two_values(editor, ibm):
    issued = issue(editor, ibm)
    return f"{issued.secret} extra", "nothing after it"


@pytest.mark.parametrize(
    "make",
    [_expired, _revoked, _unknown, _deleted, _inactive, _two_values],
    ids=lambda make: make.__name__.strip("_"),
)
def test_a_token_of_ours_that_is_no_good_answers_401(client, editor, ibm, make):
    secret, reason = make(editor, ibm)
    response = client.get(API, **bearer(secret))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert reason in response.json()["detail"]
    body = response.content.decode()
    assert secret not in body
    assert secret.split()[0][4:12] not in body  # not even its identifier


@pytest.mark.parametrize(
    "value",
    [
        "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789",
        "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        "eyJhbGciOiJIUzI1NiJ9.e30.signature",
        "not-ours and more words",
    ],
)
def test_a_bearer_value_not_ours_reads_as_anonymous(client, value):
    response = client.get(API, **bearer(value))
    assert response.status_code == 200
    assert value not in response.content.decode()
    assert value.split()[0] not in response.content.decode()


def test_a_foreign_bearer_keeps_the_signed_in_session(client, editor):
    client.force_login(editor)
    request_user = client.get("/api/v1/artifacts/", **bearer("hf_secretvalue1234"))
    assert request_user.status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(client, editor, ibm):
    issued = issue(editor, ibm)
    assert issued.token.last_used_at is None
    assert client.get(API, **bearer(issued.secret)).status_code == 200
    first_use = ApiToken.objects.get().last_used_at
    assert first_use is not None

    token = ApiToken.objects.get()
    token.record_use(at=first_use + timedelta(seconds=30))
    assert ApiToken.objects.get().last_used_at == first_use
    later = first_use + timedelta(seconds=61)
    token.record_use(at=later)
    assert ApiToken.objects.get().last_used_at == later
    # A process that read the token earlier never moves the time back.
    stale = ApiToken.objects.get()
    stale.last_used_at = None
    stale.record_use(at=first_use)
    assert ApiToken.objects.get().last_used_at == later


# ------------------------------------------------------------------------------
# Never more than the user has now
# ------------------------------------------------------------------------------
def authenticated_token(secret: str) -> ApiToken:
    """The token as a request sees it: found afresh, as each request does."""
    request = APIRequestFactory().get(API, **bearer(secret))
    return ApiTokenAuthentication().authenticate(request)[1]


def test_removing_a_membership_disarms_the_token_for_that_organization(editor, ibm, meta):
    issued = issue(editor, ibm, meta, scopes=["read", "write", "submit"])
    token = authenticated_token(issued.secret)
    assert token.effective_organization_ids() == {ibm.pk, meta.pk}
    assert token.allows("write", ibm)
    assert token.allows("submit", meta.pk)

    Membership.objects.filter(user=editor, organization=meta).delete()
    token = authenticated_token(issued.secret)
    assert token.effective_organization_ids() == {ibm.pk}
    assert not token.allows("write", meta)
    assert not token.allows("read", meta)
    assert token.allows("write", ibm)


def test_a_token_follows_its_users_role_of_the_moment(editor, ibm):
    issued = issue(editor, ibm, scopes=["read", "write"])
    Membership.objects.filter(user=editor, organization=ibm).update(role=MembershipRole.VIEWER)
    token = authenticated_token(issued.secret)
    assert token.allows("read", ibm)
    assert not token.allows("write", ibm)


@pytest.mark.parametrize(
    ("scope", "organization", "allowed"),
    [
        ("read", None, True),
        ("read", "ibm", True),
        ("write", "ibm", True),
        ("write", None, False),
        ("submit", "ibm", False),  # not among its scopes
        ("publish", "ibm", False),
        ("write", "meta", False),  # the user's, but not the token's
    ],
)
def test_a_token_allows_only_its_scopes_for_its_organizations(
    editor, ibm, meta, scope, organization, allowed
):
    token = authenticated_token(issue(editor, ibm, scopes=["read", "write"]).secret)
    target = {"ibm": ibm, "meta": meta, None: None}[organization]
    assert token.allows(scope, target) is allowed


def test_a_curators_token_publishes_only_while_they_are_a_curator(ibm):
    curator = create_curator("curator", password=None)
    issued = issue(curator, ibm, scopes=["read", "publish"])
    assert authenticated_token(issued.secret).allows(TokenScope.PUBLISH, ibm)
    curator.groups.remove(Group.objects.get(name=CURATORS_GROUP))
    token = authenticated_token(issued.secret)
    assert not token.allows(TokenScope.PUBLISH, ibm)
    assert token.effective_organization_ids() == set()  # never a member of ibm


def test_an_expired_or_revoked_token_allows_nothing(editor, ibm):
    issued = issue(editor, ibm)
    token = authenticated_token(issued.secret)
    revoke_token(token)
    assert not token.allows("read")
    other = issue(editor, ibm, name="old", at=timezone.now() - timedelta(days=89)).token
    assert other.allows("write", ibm)
    in_two_days = timezone.now() + timedelta(days=2)
    assert not other.is_live(at=in_two_days)
    assert list(ApiToken.objects.active()) == [other]
    assert list(ApiToken.objects.active(at=in_two_days)) == []


def test_neither_refused_nor_accepted_tokens_are_logged(client, editor, ibm, caplog):
    issued = issue(editor, ibm)
    with caplog.at_level("DEBUG"):
        client.get(API, **bearer(issued.secret))
        revoke_token(issued.token)
        assert client.get(API, **bearer(issued.secret)).status_code == 401
    assert "Unauthorized" in caplog.text  # Django logs the 401, by its path alone
    assert issued.secret not in caplog.text


# ------------------------------------------------------------------------------
# Its own rate
# ------------------------------------------------------------------------------
def statuses(client, times, **headers) -> list[int]:
    return [client.get(API, **headers).status_code for _ in range(times)]


def test_each_token_has_a_rate_of_its_own(client, settings, editor, ibm):
    settings.CATALOG_TOKEN_RATE = "3/minute"
    settings.CATALOG_USER_RATE = "2/minute"
    settings.CATALOG_ANON_RATE = "2/minute"
    first, second = issue(editor, ibm, name="one"), issue(editor, ibm, name="two")
    assert statuses(client, 4, **bearer(first.secret)) == [200, 200, 200, 429]
    response = client.get(API, **bearer(first.secret))
    assert response.status_code == 429
    assert "Retry-After" in response
    # Another token of the same user counts apart ...
    assert statuses(client, 3, **bearer(second.secret)) == [200] * 3
    # ... and neither touched the user's own (session) allowance nor the address's.
    assert statuses(client, 2) == [200, 200]
    client.force_login(editor)
    assert statuses(client, 3) == [200, 200, 429]


def test_the_default_token_rate_is_above_the_members_rate():
    from alliance_site import settings as defaults
    from catalog.api.throttling import CatalogTokenThrottle

    number, seconds = CatalogTokenThrottle().parse_rate(defaults.CATALOG_TOKEN_RATE)
    members, member_seconds = CatalogTokenThrottle().parse_rate(defaults.CATALOG_USER_RATE)
    assert number / seconds >= members / member_seconds


# ------------------------------------------------------------------------------
# manage.py create_token
# ------------------------------------------------------------------------------
def create_token(*args: str):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("create_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_secret_once(editor, ibm, meta):
    out, err = create_token(
        "--user=ibm-editor",
        "--organization=ibm",
        "--organization=meta",
        "--scope=write",
        "--scope=submit",
        "--expires=30d",
        "--name=release pipeline",
    )
    secret = out.strip()
    token = find_token(secret)
    assert token is not None
    assert token.user == editor
    assert token.name == "release pipeline"
    assert token.scopes == ["write", "submit"]
    assert set(token.organizations.values_list("slug", flat=True)) == {"ibm", "meta"}
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert "shown only this once" in err
    assert secret not in err


def test_the_command_gives_curators_publishing_tokens(ibm):
    create_curator("curator", password=None)
    out, _ = create_token("--user=curator", "--organization=ibm", "--scope=publish", "--name=x")
    assert find_token(out.strip()).scopes == ["publish"]


COMMAND_FAILURES = [
    (["--user=nobody", "--organization=ibm", "--scope=write"], "No account is named 'nobody'"),
    (["--user=ibm-editor", "--organization=nasa", "--scope=write"], "No organization with"),
    (["--user=ibm-editor", "--organization=other", "--scope=write"], "not a member of other"),
    (["--user=ibm-editor", "--organization=ibm", "--scope=publish"], "Only curators"),
    (["--user=ibm-editor", "--organization=ibm", "--scope=admin"], "Unknown scope 'admin'"),
    (["--user=ibm-editor", "--organization=ibm"], "at least one scope"),
    (["--user=ibm-editor", "--scope=write"], "at least one organization"),
    (
        ["--user=ibm-editor", "--organization=ibm", "--scope=write", "--expires=400d"],
        "at most a year",
    ),
    (
        ["--user=ibm-editor", "--organization=ibm", "--scope=write", "--expires=soon"],
        "like 90d",
    ),
]


@pytest.mark.parametrize(("args", "message"), COMMAND_FAILURES)
def test_the_command_refuses_bad_input_and_creates_nothing(editor, ibm, args, message):
    make_organization("other")
    with pytest.raises(CommandError, match=message) as error:
        create_token(*args, "--name=pipeline")
    assert "No token was created" in str(error.value)
    assert error.value.returncode != 0  # manage.py exits with it
    assert not ApiToken.objects.exists()


# ------------------------------------------------------------------------------
# The admin
# ------------------------------------------------------------------------------
ADMIN = "/admin/catalog/apitoken/"


def test_a_member_creates_a_token_in_the_admin_and_sees_its_secret_once(client, editor, ibm):
    client.force_login(editor)
    form = client.get(f"{ADMIN}add/")
    assert form.status_code == 200
    assert b'value="publish"' not in form.content  # offered to curators only
    response = client.post(
        f"{ADMIN}add/",
        {"name": "ci", "organizations": [ibm.pk], "scopes": ["read", "write"], "lifetime": 30},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert find_token(secret) == token
    assert "Copy this token now" in response.content.decode()
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert secret not in every_stored_text()
    # Its page never shows the secret nor the hash again.
    page = client.get(f"{ADMIN}{token.pk}/change/").content.decode()
    assert secret not in page
    assert token.secret_hash not in page
    assert token.display_prefix in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"scopes": ["publish"]}, "scopes", "publish is not one of the available choices"),
        ({"organizations": ["stranger"]}, "organizations", "not one of the available choices"),
        ({"scopes": ["write"], "organizations": []}, "organizations", "at least one"),
        ({"lifetime": 400}, "lifetime", "not one of the available choices"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_the_admin_form_refuses_what_the_user_may_not_have(
    client, editor, ibm, data, field, message
):
    stranger = make_organization("stranger")
    client.force_login(editor)
    post = {"name": "ci", "organizations": [ibm.pk], "scopes": ["read"], "lifetime": 90, **data}
    post["organizations"] = [
        stranger.pk if value == "stranger" else value for value in post["organizations"]
    ]
    response = client.post(f"{ADMIN}add/", post)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert not ApiToken.objects.exists()


def test_members_see_only_their_own_tokens_and_superusers_all(client, editor, ibm):
    colleague = make_member(ibm, MembershipRole.EDITOR, "colleague")
    mine = issue(editor, ibm, name="mine").token
    theirs = issue(colleague, ibm, name="theirs").token
    client.force_login(editor)
    listing = client.get(ADMIN).content.decode()
    assert "mine" in listing
    assert "theirs" not in listing
    assert client.get(f"{ADMIN}{theirs.pk}/change/").status_code == 302  # "does not exist"
    assert client.post(f"{ADMIN}{theirs.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert mine.secret_hash not in listing

    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    listing = client.get(ADMIN).content.decode()
    assert "mine" in listing
    assert "theirs" in listing
    assert "colleague" in listing


def test_a_member_revokes_their_token_with_the_button_and_the_action(client, editor, ibm):
    first, second = issue(editor, ibm, name="first"), issue(editor, ibm, name="second")
    client.force_login(editor)
    response = client.post(f"{ADMIN}{first.token.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    assert client.get(API, **bearer(first.secret)).status_code == 401
    client.post(
        ADMIN, {"action": "revoke_selected", "_selected_action": [second.token.pk]}, follow=True
    )
    assert client.get(API, **bearer(second.secret)).status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert client.get(f"{ADMIN}{first.token.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    ("state", "names"),
    [
        ("live", ["live"]),
        ("expired", ["old"]),
        ("revoked", ["gone"]),
        (None, ["gone", "live", "old"]),
    ],
)
def test_the_token_list_filters_by_state(client, editor, ibm, state, names):
    issue(editor, ibm, name="live")
    issue(editor, ibm, name="old", at=timezone.now() - timedelta(days=100))
    revoke_token(issue(editor, ibm, name="gone").token)
    client.force_login(editor)
    response = client.get(ADMIN, {"state": state} if state else {})
    shown = sorted(token.name for token in response.context["cl"].result_list)
    assert shown == names


def test_a_curator_is_offered_publishing_and_every_organization(client, ibm, meta):
    curator = create_curator("curator", password=None)
    client.force_login(curator)
    form = client.get(f"{ADMIN}add/")
    assert b'value="publish"' in form.content
    assert f'value="{meta.pk}"'.encode() in form.content
    response = client.post(
        f"{ADMIN}add/",
        {"name": "desk", "organizations": [meta.pk], "scopes": ["publish"], "lifetime": 7},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.scopes) == (curator, ["publish"])
    assert authenticated_token(response.context["secret"]).allows("publish", meta)


def test_a_token_reads_only_the_drafts_of_the_organizations_it_acts_for(client, editor, ibm, meta):
    from tests.factories import make_artifact

    make_artifact("ibm-draft", lead=ibm, status="draft")
    make_artifact("meta-draft", lead=meta, status="draft")
    drafts = "/api/v1/artifacts/?status=draft"
    for_ibm = issue(editor, ibm, scopes=("read",))
    listed = client.get(drafts, **bearer(for_ibm.secret)).json()
    assert [entry["id"] for entry in listed["results"]] == ["ibm/ibm-draft"]
    hidden = client.get("/api/v1/artifacts/meta/meta-draft/", **bearer(for_ibm.secret))
    assert hidden.status_code == 404
    # The user's own session reads with all of their rights.
    client.force_login(editor)
    listed = client.get(drafts).json()
    assert sorted(entry["id"] for entry in listed["results"]) == [
        "ibm/ibm-draft",
        "meta/meta-draft",
    ]
