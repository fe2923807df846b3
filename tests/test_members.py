"""Accounts for members' staff and curators, and the commands that make them."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.members import DEMO_ACCOUNTS, DEMO_PASSWORD, MemberError, create_demo_accounts
from catalog.models import Artifact, Membership
from catalog.models.roles import is_curator, organization_roles
from tests.factories import make_organization

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def ibm():
    return make_organization("ibm", name="IBM")


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_create_member(monkeypatch, ibm, role):
    monkeypatch.setenv("CATALOG_PASSWORD", PASSWORD)
    output = run("create_member", "ada", organization="ibm", role=role, email="ada@example.org")
    user = User.objects.get(username="ada")
    assert "ada" in output
    assert user.check_password(PASSWORD)
    assert (user.email, user.is_staff, user.is_superuser) == ("ada@example.org", True, False)
    assert organization_roles(user) == {ibm.pk: role}
    assert user.has_perm("catalog.view_artifact")
    assert user.has_perm("catalog.view_organization")
    assert not user.has_perm("catalog.change_organization")
    assert not is_curator(user)


def test_a_second_call_changes_the_role_not_the_account(monkeypatch, ibm):
    monkeypatch.setenv("CATALOG_PASSWORD", PASSWORD)
    run("create_member", "ada", organization="ibm", role="viewer")
    run("create_member", "ada", organization="ibm", role="admin")
    assert list(Membership.objects.values_list("user__username", "role")) == [("ada", "admin")]


def test_create_curator(monkeypatch):
    monkeypatch.setenv("CATALOG_PASSWORD", PASSWORD)
    run("create_curator", "grace")
    user = User.objects.get(username="grace")
    assert is_curator(user)
    assert user.has_perm("catalog.change_organization")
    assert not user.is_superuser


ERRORS = [
    (
        ["create_member", "ada", "--organization", "nope", "--role", "editor"],
        "No organization with the slug 'nope'",
    ),
    (
        ["create_member", "ada", "--organization", "ibm", "--role", "owner"],
        "Unknown role 'owner'. Choose one of: admin, editor, viewer.",
    ),
    (["create_member", "ada", "--organization", "ibm", "--role", "editor"], "Set CATALOG_PASSWORD"),
    (["create_curator", "grace"], "Set CATALOG_PASSWORD"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_clear_errors_and_nothing_changed(monkeypatch, ibm, args, message):
    monkeypatch.delenv("CATALOG_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call_command(*args)  # under pytest, standard input is not a terminal
    assert not User.objects.exists()


def test_a_weak_password_is_refused(monkeypatch, ibm):
    monkeypatch.setenv("CATALOG_PASSWORD", "password")
    with pytest.raises(CommandError, match="This password is too common"):
        call_command("create_member", "ada", organization="ibm", role="editor")
    assert not User.objects.exists()


@pytest.mark.parametrize("command", ["create_member", "create_curator"])
def test_no_password_argument_exists(command):
    """A password on the command line would land in shell history and `ps`."""
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    assert "--password" not in result.stdout
    assert "CATALOG_PASSWORD" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create_member", "ada", "--organization", "ibm", "--role", "owner"], "Unknown role"),
        (["create_curator", "grace"], "Set CATALOG_PASSWORD"),
    ],
)
def test_errors_exit_non_zero(args, message):
    # Both are refused before the database is touched, so an in-memory one will do.
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://:memory:"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_demo_accounts(ibm):
    output = run("create_demo_accounts")
    for username, _, organization in DEMO_ACCOUNTS:
        assert f"{username} / {DEMO_PASSWORD}" in output
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        if organization is None:
            assert is_curator(user)
        else:
            assert organization_roles(user) == {ibm.pk: "editor"}
    assert "/admin/" in output


def test_demo_accounts_are_refused_in_production(settings, ibm):
    settings.PRODUCTION = True
    with pytest.raises(MemberError, match="development only"):
        create_demo_accounts()
    assert not User.objects.exists()


def test_a_new_member_sees_their_organizations_drafts_at_once(monkeypatch, ibm):
    from tests.factories import make_artifact

    draft = make_artifact(lead=ibm, status="draft")
    monkeypatch.setenv("CATALOG_PASSWORD", PASSWORD)
    run("create_member", "ada", organization="ibm", role="viewer")
    user = User.objects.get(username="ada")
    assert list(Artifact.objects.in_workspace_of(user)) == [draft]
    assert not Artifact.objects.editable_by(user).exists()
