"""The entry admin as people meet it: the home page, adding in a kind's section, the
release date, deleting, the list's actions and the order of names."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.members import create_curator, give_member_access
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Membership,
    MembershipRole,
    Organization,
)
from tests.factories import admin_entry_form, make_artifact, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def ibm():
    return make_organization("ibm", name="IBM")


def member(ibm, role=MembershipRole.EDITOR, username="ibm-editor") -> User:
    user = User.objects.create(username=username)
    Membership.objects.create(user=user, organization=ibm, role=role)
    give_member_access(user)
    return user


@pytest.fixture
def editor(client, ibm):
    user = member(ibm)
    client.force_login(user)
    return user


@pytest.fixture
def curator(client):
    user = create_curator("the-curator", password=None)
    client.force_login(user)
    return user


def visible_text(content: str) -> str:
    """What a person reads on a page: the text between the tags, scripts left out."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


# -- the home page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["curator", "editor"])
def test_the_home_page_links_the_review_queue(client, ibm, who, request):
    request.getfixturevalue(who)
    content = client.get(reverse("admin:index")).content.decode()
    queue = reverse("admin:catalog_artifact_changelist") + "?queue=in_review"
    assert f'href="{queue}">Review queue: entries waiting for review</a>' in content


# -- adding in a kind's section ------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "kind", "word"),
    [
        ("modelentry", ArtifactKind.MODEL, "model"),
        ("datasetentry", ArtifactKind.DATASET, "dataset"),
        ("toolentry", ArtifactKind.TOOL, "tool"),
    ],
)
def test_adding_in_a_kinds_section_stays_in_that_section(client, editor, ibm, section, kind, word):
    add_page = client.get(reverse(f"admin:catalog_{section}_add")).content.decode()
    assert f"<title>Add {word} |" in add_page
    crumbs = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}".join(
        ["Home ", " Alliance Catalog ", f" {word.capitalize()}s ", f" Add {word}"]
    )
    assert crumbs in visible_text(add_page)
    response = client.post(
        reverse(f"admin:catalog_{section}_add"), admin_entry_form(ibm), follow=True
    )
    entry = Artifact.objects.get(namespace="ibm", slug="granite-x")
    assert entry.kind == kind
    assert response.redirect_chain[-1][0] == reverse(f"admin:catalog_{section}_changelist")
    content = response.content.decode()
    assert f"The {word} “" in content
    assert "artifact" not in visible_text(content).lower()

    # "Save and continue editing" stays in the section too.
    again = client.post(
        reverse(f"admin:catalog_{section}_add"),
        admin_entry_form(ibm, slug="granite-y", _continue="1"),
    )
    entry = Artifact.objects.get(namespace="ibm", slug="granite-y")
    assert again["Location"] == reverse(f"admin:catalog_{section}_change", args=[entry.pk])


def test_the_all_entries_section_says_entries(client, curator, ibm):
    make_artifact("granite", lead=ibm)
    content = client.get(reverse("admin:catalog_artifact_changelist")).content.decode()
    assert "Select entry to change" in content
    assert "1 entry" in content
    assert "artifact" not in visible_text(content).lower()


def test_a_member_of_one_organization_finds_it_chosen_as_lead(client, editor, ibm):
    form = client.get(reverse("admin:catalog_modelentry_add")).context["adminform"].form
    assert form["lead_organization"].value() == ibm.pk
    assert f'<option value="{ibm.pk}" selected>IBM</option>' in str(form["lead_organization"])


def test_a_member_of_two_organizations_chooses_the_lead(client, ibm):
    user = member(ibm)
    Membership.objects.create(
        user=user, organization=make_organization("meta"), role=MembershipRole.EDITOR
    )
    client.force_login(user)
    form = client.get(reverse("admin:catalog_modelentry_add")).context["adminform"].form
    assert form["lead_organization"].value() is None


def test_a_curator_chooses_the_lead(client, curator, ibm):
    form = client.get(reverse("admin:catalog_modelentry_add")).context["adminform"].form
    assert form["lead_organization"].value() is None


# -- the release date: one field, as precise as what was typed -----------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "precision", "shown"),
    [
        ("2024", datetime.date(2024, 1, 1), "year", "2024"),
        ("2024-10", datetime.date(2024, 10, 1), "month", "2024-10"),
        ("2024-10-05", datetime.date(2024, 10, 5), "day", "2024-10-05"),
        (" 2024-3 ", datetime.date(2024, 3, 1), "month", "2024-03"),
        ("", None, "", ""),
    ],
)
def test_the_release_date_keeps_the_precision_typed(
    client, editor, ibm, typed, stored, precision, shown
):
    response = client.post(
        reverse("admin:catalog_modelentry_add"), admin_entry_form(ibm, release_date=typed)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = Artifact.objects.get(namespace="ibm", slug="granite-x")
    assert (entry.released_on, entry.release_precision) == (stored, precision)
    form = (
        client.get(reverse("admin:catalog_modelentry_change", args=[entry.pk]))
        .context["adminform"]
        .form
    )
    assert form["release_date"].value() == shown


@pytest.mark.parametrize("typed", ["24", "2024-13", "2024-02-30", "October 2024", "2024/10"])
def test_a_release_date_in_another_form_is_refused_naming_the_forms(client, editor, ibm, typed):
    response = client.post(
        reverse("admin:catalog_modelentry_add"), admin_entry_form(ibm, release_date=typed)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["release_date"]
    assert "a year (2024), a month (2024-10) or a day (2024-10-05)" in " ".join(errors)
    assert not Artifact.objects.filter(slug="granite-x").exists()
    assert f'value="{typed}"' in response.content.decode()  # nothing typed is lost


# -- deleting: drafts only; what the public has seen is withdrawn --------------------------


@pytest.mark.parametrize(
    ("role", "advice"),
    [
        (MembershipRole.EDITOR, "Admins of IBM and the curators withdraw entries"),
        (MembershipRole.ADMIN, "write a public reason under <strong>Withdraw</strong>"),
    ],
)
def test_deleting_a_published_entry_says_to_withdraw_it(client, ibm, role, advice):
    client.force_login(member(ibm, role))
    published = make_artifact("granite", lead=ibm, status=ArtifactStatus.PUBLISHED)
    for method in (client.get, client.post):
        response = method(reverse("admin:catalog_modelentry_delete", args=[published.pk]))
        assert response.status_code == 403
        content = response.content.decode()
        assert "ibm/granite is published, so it is not deleted: only drafts are." in content
        assert "<strong>withdrawn</strong> instead" in content
        assert advice in content
    assert Artifact.objects.filter(pk=published.pk).exists()


def test_deleting_published_entries_from_the_list_says_to_withdraw_them(client, editor, ibm):
    published = make_artifact("granite", lead=ibm, status=ArtifactStatus.PUBLISHED)
    draft = make_artifact("draft", lead=ibm, status=ArtifactStatus.DRAFT)
    response = client.post(
        reverse("admin:catalog_modelentry_changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk, draft.pk]},
    )
    content = response.content.decode()
    assert "Published entries are withdrawn, not deleted: only drafts are." in content
    assert "<li>ibm/granite (published)</li>" in content
    assert "ibm/draft (" not in content
    assert "Withdraw the selected entries" in content
    assert "permission to delete the following types" not in content
    assert Artifact.objects.filter(pk__in=[published.pk, draft.pk]).count() == 2


def test_an_editor_still_deletes_a_draft(client, editor, ibm):
    draft = make_artifact("draft", lead=ibm, status=ArtifactStatus.DRAFT)
    response = client.post(
        reverse("admin:catalog_modelentry_delete", args=[draft.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Artifact.objects.filter(pk=draft.pk).exists()


# -- the list's actions and order ----------------------------------------------------------


def test_the_bulk_actions_speak_of_entries(client, curator):
    actions = (
        client.get(reverse("admin:catalog_modelentry_changelist"))
        .context["action_form"]
        .fields["action"]
        .choices
    )
    labels = [label for _, label in actions]
    assert "Submit the selected entries for review" in labels
    assert "Publish the selected entries" in labels
    assert "Withdraw the selected entries" in labels


NAMES = ["Zephyr", "vLLM", "AMD-OLMo", "Adversarial", "bert", "Granite"]
READ_ORDER = ["Adversarial", "AMD-OLMo", "bert", "Granite", "vLLM", "Zephyr"]


@pytest.mark.parametrize("section", ["artifact", "modelentry"])
@pytest.mark.parametrize(("order", "expected"), [("1", READ_ORDER), ("-1", READ_ORDER[::-1])])
def test_names_sort_as_people_read(client, curator, ibm, section, order, expected):
    for name in NAMES:
        make_artifact(name.lower(), lead=ibm, name=name)
    response = client.get(reverse(f"admin:catalog_{section}_changelist"), {"o": order})
    assert [entry.name for entry in response.context["cl"].result_list] == expected


def test_organizations_sort_as_people_read(client, curator):
    Organization.objects.all().delete()
    for name in NAMES:
        make_organization(name.lower(), name=name)
    response = client.get(reverse("admin:catalog_organization_changelist"))
    assert [o.name for o in response.context["cl"].result_list] == READ_ORDER


def test_the_entry_page_says_published_entries_are_withdrawn(client, editor, ibm):
    published = make_artifact("granite", lead=ibm, status=ArtifactStatus.PUBLISHED)
    draft = make_artifact("draft", lead=ibm, status=ArtifactStatus.DRAFT)
    hint = "Published entries are withdrawn, not deleted"
    page = client.get(reverse("admin:catalog_modelentry_change", args=[published.pk]))
    assert hint in page.content.decode()
    page = client.get(reverse("admin:catalog_modelentry_change", args=[draft.pk]))
    assert hint not in page.content.decode()


def test_an_admin_of_one_organization_finds_it_chosen_for_a_membership(client, ibm):
    client.force_login(member(ibm, MembershipRole.ADMIN, username="ibm-admin"))
    form = client.get(reverse("admin:catalog_membership_add")).context["adminform"].form
    assert form["organization"].value() == ibm.pk


def test_the_lead_organization_filter_sorts_as_people_read(client, curator):
    for name in NAMES:
        make_artifact(lead=make_organization(name.lower(), name=name))
    response = client.get(reverse("admin:catalog_artifact_changelist"))
    filters = response.context["cl"].filter_specs
    lead_filter = next(f for f in filters if getattr(f, "parameter_name", "") == "lead")
    names = [name for _, name in lead_filter.lookup_choices]
    assert names == READ_ORDER


def test_memberships_sort_by_organization_as_people_read(client, curator):
    for name in NAMES:
        Membership.objects.create(
            user=User.objects.create(username=f"staff-of-{name.lower()}"),
            organization=make_organization(name.lower(), name=name),
            role=MembershipRole.VIEWER,
        )
    response = client.get(reverse("admin:catalog_membership_changelist"))
    assert [m.organization.name for m in response.context["cl"].result_list] == READ_ORDER
