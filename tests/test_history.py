"""History: every change by anyone, through any path, with who and when; diffs and revert."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from catalog.members import create_curator, give_member_access
from catalog.models import Artifact, ArtifactStatus, Membership, MembershipRole, Relation
from catalog.workflow import PUBLISH
from tests.factories import admin_entry_form, make_artifact, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def ibm():
    return make_organization("ibm", name="IBM")


@pytest.fixture
def curator():
    return create_curator("the-curator", password=None)


@pytest.fixture
def editor(ibm):
    user = User.objects.create(username="ibm-editor")
    Membership.objects.create(user=user, organization=ibm, role=MembershipRole.EDITOR)
    give_member_access(user)
    return user


def edit_through_admin(client, user, artifact, **changes):
    client.force_login(user)
    data = {
        "lead_organization": artifact.lead_organization.pk,
        "name": artifact.name,
        "summary": artifact.summary,
        "license_expression": artifact.license_expression,
        "unverified": "{}",
        "formats": "[]",
        "programming_languages": "[]",
    }
    for prefix in ("contributions", "sources", "variants", "openness_components", "relations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    response = client.post(reverse("admin:catalog_modelentry_change", args=[artifact.pk]), data)
    assert response.status_code == 302
    return response


def test_every_path_leaves_a_record_with_who_and_when(client, ibm, editor, curator):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.IN_REVIEW)
    at = datetime.datetime(2025, 5, 1, 9, 30, tzinfo=datetime.UTC)
    # the admin
    edit_through_admin(client, editor, artifact, summary="Edited in the admin.")
    # the workflow
    PUBLISH.execute(artifact, user=curator, at=at)
    # a script or command: no request, so no user, and the record says so
    artifact.refresh_from_db()
    artifact.summary = "Edited by a script."
    artifact.save()
    records = list(artifact.history.order_by("history_id"))
    assert [(r.summary, r.status, r.history_user) for r in records[-3:]] == [
        ("Edited in the admin.", ArtifactStatus.IN_REVIEW, editor),
        ("Edited in the admin.", ArtifactStatus.PUBLISHED, curator),
        ("Edited by a script.", ArtifactStatus.PUBLISHED, None),
    ]
    assert records[-2].history_date == at
    assert all(r.history_date is not None for r in records)


@pytest.mark.parametrize("section", ["modelentry", "artifact"])
def test_an_admin_edit_is_one_new_version(client, ibm, editor, section):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.DRAFT, summary="Old.")
    versions = artifact.history.count()
    client.force_login(editor)
    data = admin_entry_form(ibm, name=artifact.name, summary="New.")
    del data["slug"]  # read-only once the entry exists
    response = client.post(reverse(f"admin:catalog_{section}_change", args=[artifact.pk]), data)
    assert response.status_code == 302
    latest = artifact.history.latest("history_id")
    assert artifact.history.count() == versions + 1
    assert (latest.summary, latest.history_type, latest.history_user) == ("New.", "~", editor)


def test_related_rows_keep_their_history_too(client, ibm, editor):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.DRAFT)
    parent = make_artifact("parent")
    client.force_login(editor)
    edit_through_admin(
        client,
        editor,
        artifact,
        **{
            "relations-TOTAL_FORMS": "1",
            "relations-0-relation_type": "fine_tuned_from",
            "relations-0-target": parent.pk,
        },
    )
    relation = Relation.objects.get(source=artifact)
    assert relation.history.get().history_user == editor


def test_the_history_page_shows_what_changed_between_versions(client, ibm, editor, curator):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.DRAFT, summary="Old words.")
    edit_through_admin(client, editor, artifact, summary="New words.")
    client.force_login(curator)
    response = client.get(reverse("admin:catalog_modelentry_history", args=[artifact.pk]))
    content = response.content.decode()
    assert "<strong>Summary:</strong>" in content
    assert "Old words." in content
    assert "New words." in content
    assert "ibm-editor" in content


def test_the_history_page_costs_the_same_however_long_the_history(client, ibm, curator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_history_page(versions):
        artifact = make_artifact(f"granite-{versions}", lead=ibm, status=ArtifactStatus.DRAFT)
        for number in range(versions):
            artifact.summary = f"Version {number}."
            artifact.save()
        client.force_login(curator)
        url = reverse("admin:catalog_modelentry_history", args=[artifact.pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    queries_for_history_page(1)  # warms the per-process caches (content types)
    assert queries_for_history_page(25) == queries_for_history_page(60)


def test_a_curator_reverts_a_change(client, ibm, editor, curator):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.PUBLISHED, summary="Right.")
    good = artifact.history.latest("history_id")
    edit_through_admin(client, editor, artifact, summary="Vandalized.")
    client.force_login(curator)
    revert_url = reverse(
        "admin:catalog_modelentry_simple_history", args=[artifact.pk, good.history_id]
    )
    page = client.get(revert_url)
    assert page.status_code == 200
    assert "Right." in page.content.decode()
    edit = {"lead_organization": ibm.pk, "name": artifact.name, "summary": good.summary}
    edit.update({"unverified": "{}", "formats": "[]", "programming_languages": "[]"})
    response = client.post(revert_url, edit)
    assert response.status_code == 302
    artifact.refresh_from_db()
    assert artifact.summary == "Right."
    assert artifact.status == ArtifactStatus.PUBLISHED  # a revert never moves the status
    latest = artifact.history.latest("history_id")
    assert (latest.summary, latest.history_user) == ("Right.", curator)


def test_a_revert_never_moves_the_status_of_a_withdrawn_entry(client, ibm, curator):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.PUBLISHED, summary="Old.")
    published = artifact.history.latest("history_id")
    Artifact.objects.filter(pk=artifact.pk).update(
        status=ArtifactStatus.WITHDRAWN, withdrawn_reason="License problem."
    )
    artifact.refresh_from_db()
    artifact.save()  # a history record of the withdrawn state
    client.force_login(curator)
    revert_url = reverse(
        "admin:catalog_modelentry_simple_history", args=[artifact.pk, published.history_id]
    )
    edit = {"lead_organization": ibm.pk, "name": artifact.name, "summary": "Old."}
    edit.update({"unverified": "{}", "formats": "[]", "programming_languages": "[]"})
    assert client.post(revert_url, edit).status_code == 302
    artifact.refresh_from_db()
    assert (artifact.status, artifact.withdrawn_reason) == (
        ArtifactStatus.WITHDRAWN,
        "License problem.",
    )


# -- one save, one version, in plain words --------------------------------------------------


def test_one_admin_save_is_one_version_with_a_reason(client, ibm, editor):
    from catalog.models import Component, OpennessClass, OpennessComponent, Task

    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.DRAFT, license="MIT")
    # Five of Class III's six components: the sixth, added in the form, makes the class.
    components = [c for c in Component.values[:6] if c != Component.EVALUATION_RESULTS]
    for component in components:
        OpennessComponent.objects.create(
            artifact=artifact, component=component, included=True, license_expression="MIT"
        )
    parent = make_artifact("parent", lead=ibm)
    generation = Task.objects.create(slug="text-generation", name="Text generation")
    coding = Task.objects.create(slug="code-generation", name="Code generation")
    versions = artifact.history.count()
    edit_through_admin(
        client,
        editor,
        artifact,
        license_expression="Apache-2.0",
        tasks=[generation.pk, coding.pk],
        **{
            "relations-TOTAL_FORMS": "1",
            "relations-0-relation_type": "fine_tuned_from",
            "relations-0-target": parent.pk,
            "openness_components-TOTAL_FORMS": "1",
            "openness_components-0-component": Component.EVALUATION_RESULTS,
            "openness_components-0-included": "on",
            "openness_components-0-license_expression": "MIT",
            # What a browser sends beside fields with a callable default (the form
            # compares against it to tell whether the field changed).
            "initial-unverified": "{}",
            "initial-formats": "[]",
            "initial-programming_languages": "[]",
        },
    )
    artifact.refresh_from_db()
    assert artifact.openness_class == OpennessClass.CLASS_III
    assert artifact.history.count() == versions + 1
    version = artifact.history.latest("history_id")
    assert version.history_change_reason == (
        "Changed license, tasks; added openness component; added lineage edge"
    )
    assert version.history_user == editor
    # The version holds the whole saved state: fields, taxonomy, licenses, derived class.
    assert version.license_expression == "Apache-2.0"
    assert version.openness_class == OpennessClass.CLASS_III
    assert {t.task.name for t in version.tasks.all()} == {"Text generation", "Code generation"}
    assert [link.license.key for link in version.licenses.all()] == ["Apache-2.0"]


def test_adding_in_the_admin_is_one_version(client, ibm, editor):
    from catalog.models import Task

    task = Task.objects.create(slug="text-generation", name="Text generation")
    client.force_login(editor)
    data = {
        "lead_organization": ibm.pk,
        "slug": "granite-new",
        "name": "Granite New",
        "summary": "A model.",
        "license_expression": "Apache-2.0",
        "tasks": [task.pk],
        "unverified": "{}",
        "formats": "[]",
        "programming_languages": "[]",
    }
    for prefix in ("contributions", "sources", "variants", "openness_components", "relations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(reverse("admin:catalog_modelentry_add"), data)
    assert response.status_code == 302
    artifact = Artifact.objects.get(namespace="ibm", slug="granite-new")
    version = artifact.history.get()
    assert (version.history_type, version.history_change_reason) == ("+", "Added")
    assert [t.task.name for t in version.tasks.all()] == ["Text generation"]


def test_the_history_page_reads_in_display_words(client, ibm, editor, curator):
    artifact = make_artifact("granite", lead=ibm, status=ArtifactStatus.IN_REVIEW)
    edit_through_admin(client, editor, artifact, summary="Edited.")
    PUBLISH.execute(artifact, user=curator, at=timezone.now())
    client.force_login(curator)
    content = client.get(
        reverse("admin:catalog_modelentry_history", args=[artifact.pk])
    ).content.decode()
    assert "<strong>Status:</strong> In review&nbsp;&rarr;&nbsp;&nbsp;Published" in content
    assert "<td>Published</td>" in content
    assert "Changed summary" in content
    assert "None" not in content
    assert "published&nbsp;" not in content


def test_a_membership_history_names_the_organization(client, ibm, curator):
    meta = make_organization("meta", name="Meta")
    membership = Membership.objects.create(
        user=User.objects.create(username="someone"), organization=ibm, role=MembershipRole.VIEWER
    )
    membership.organization = meta
    membership.role = MembershipRole.EDITOR
    membership.save()
    client.force_login(curator)
    content = client.get(
        reverse("admin:catalog_membership_history", args=[membership.pk])
    ).content.decode()
    assert "<strong>Organization:</strong> IBM&nbsp;&rarr;&nbsp;&nbsp;Meta" in content
    assert "<strong>Role:</strong> Viewer&nbsp;&rarr;&nbsp;&nbsp;Editor" in content
