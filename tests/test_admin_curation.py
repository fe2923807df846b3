"""The curation admin as a curator and an editor use it: validation messages, license
warnings, derived read-only fields, the review queue and bounded query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from catalog.members import create_curator, give_member_access
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Component,
    Contribution,
    Membership,
    MembershipRole,
    OpennessComponent,
    Relation,
    RelationType,
)
from tests.factories import admin_entry_form, make_artifact, make_organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def ibm():
    return make_organization("ibm", name="IBM")


@pytest.fixture
def editor(client, ibm):
    user = User.objects.create(username="ibm-editor")
    Membership.objects.create(user=user, organization=ibm, role=MembershipRole.EDITOR)
    give_member_access(user)
    client.force_login(user)
    return user


def relation_rows(*rows):
    data = {"relations-TOTAL_FORMS": str(len(rows)), "relations-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"relations-{index}-{key}": value for key, value in row.items()})
    return data


def errors_of(response) -> str:
    """Every error message on the page's forms, as plain text."""
    assert response.status_code == 200, "the form was saved, but an error was expected"
    form = response.context["adminform"].form
    messages = [m for errors in form.errors.values() for m in errors]
    for inline in response.context["inline_admin_formsets"]:
        messages += inline.formset.non_form_errors()
        for errors in inline.formset.errors:
            messages += [m for field_errors in errors.values() for m in field_errors]
    return " ".join(messages)


# -- validation: each message names what is wrong ----------------------------------------

INVALID = [
    (
        {"license_expression": "Apache-2.0 AND Not-A-License"},
        "Unknown license key(s): Not-A-License",
    ),
    ({"license_expression": "MIT AND ("}, "is not a valid license expression"),
    ({"huggingface_repo_id": "https://huggingface.co/ibm/granite"}, "'owner/name'"),
    ({"huggingface_repo_id": "ibm/granite--x"}, "without '--' or '..'"),
    ({"homepage_url": "not a url"}, "Enter a valid URL"),
    ({"slug": "granite x"}, "Use 1 to 96 letters, digits"),
]


@pytest.mark.parametrize(("fields", "message"), INVALID)
def test_validation_messages(client, editor, ibm, fields, message):
    response = client.post(reverse("admin:catalog_modelentry_add"), admin_entry_form(ibm, **fields))
    assert message in errors_of(response)
    assert not Artifact.objects.exists()


def test_a_duplicate_id_is_named(client, editor, ibm):
    make_artifact("granite-x", lead=ibm)
    response = client.post(reverse("admin:catalog_modelentry_add"), admin_entry_form(ibm))
    assert "The id ibm/granite-x is taken" in errors_of(response)
    assert Artifact.objects.count() == 1


LINEAGE_ERRORS = [
    # (kind of the new entry, relation type, target kind, message)
    (ArtifactKind.MODEL, RelationType.TRAINED_ON, ArtifactKind.MODEL, "must point to a dataset"),
    (ArtifactKind.DATASET, RelationType.FINE_TUNED_FROM, ArtifactKind.MODEL, "Only a model can"),
]


@pytest.mark.parametrize(("kind", "relation_type", "target_kind", "message"), LINEAGE_ERRORS)
def test_lineage_kind_mismatches_on_a_new_entry(
    client, editor, ibm, kind, relation_type, target_kind, message
):
    target = make_artifact(kind=target_kind)
    data = admin_entry_form(
        ibm, **relation_rows({"relation_type": relation_type, "target": target.pk})
    )
    section = {ArtifactKind.MODEL: "modelentry", ArtifactKind.DATASET: "datasetentry"}[kind]
    response = client.post(reverse(f"admin:catalog_{section}_add"), data)
    assert message in errors_of(response)
    assert Artifact.objects.count() == 1


def test_a_lineage_cycle_is_refused_with_the_chain(client, editor, ibm):
    base = make_artifact("base", lead=ibm, status=ArtifactStatus.DRAFT)
    tuned = make_artifact("tuned", lead=ibm, status=ArtifactStatus.DRAFT)
    Relation.objects.create(source=tuned, relation_type=RelationType.FINE_TUNED_FROM, target=base)
    data = admin_entry_form(
        ibm,
        slug="base",
        name="Base",
        **relation_rows(
            {"relation_type": RelationType.FINE_TUNED_FROM, "target": tuned.pk, "source": base.pk}
        ),
    )
    response = client.post(reverse("admin:catalog_modelentry_change", args=[base.pk]), data)
    assert "This would make a lineage cycle: ibm/base → ibm/tuned → ibm/base" in errors_of(response)
    assert not base.relations.exists()


def test_the_lead_is_not_also_a_contributor(client, editor, ibm):
    data = admin_entry_form(
        ibm,
        **{
            "contributions-TOTAL_FORMS": "1",
            "contributions-0-organization": ibm.pk,
        },
    )
    response = client.post(reverse("admin:catalog_modelentry_add"), data)
    assert "IBM is the lead organization" in errors_of(response)


def test_a_new_entry_gets_its_id_lead_and_licenses(client, editor, ibm):
    partner = make_organization("partner")
    data = admin_entry_form(
        ibm,
        license_expression="apache-2.0 and mit",
        **{"contributions-TOTAL_FORMS": "1", "contributions-0-organization": partner.pk},
    )
    response = client.post(reverse("admin:catalog_modelentry_add"), data)
    assert response.status_code == 302
    artifact = Artifact.objects.get()
    assert (artifact.repo_id, artifact.kind, artifact.status) == ("ibm/granite-x", "model", "draft")
    assert artifact.license_expression == "Apache-2.0 AND MIT"
    assert sorted(artifact.licenses.values_list("key", flat=True)) == ["Apache-2.0", "MIT"]
    assert sorted(Contribution.objects.values_list("organization__slug", "role")) == [
        ("ibm", "lead"),
        ("partner", "contributor"),
    ]
    assert artifact.history.latest().history_user == editor


def test_the_status_is_never_a_form_field(client, editor, ibm):
    draft = make_artifact(lead=ibm, status=ArtifactStatus.DRAFT)
    data = admin_entry_form(ibm, slug=draft.slug, status=ArtifactStatus.PUBLISHED)
    response = client.post(reverse("admin:catalog_modelentry_change", args=[draft.pk]), data)
    assert response.status_code == 302
    assert Artifact.objects.get(pk=draft.pk).status == ArtifactStatus.DRAFT


# -- the license warning ------------------------------------------------------------------

WARNINGS = [
    ("LicenseRef-scancode-llama-2-license-2023", "Apache-2.0", "restricts some uses"),
    ("GPL-3.0-only", "MIT", "requires derived works to keep its license"),
    ("Apache-2.0", "MIT", None),
    ("LicenseRef-scancode-llama-2-license-2023", "LicenseRef-scancode-llama-2-license-2023", None),
]


@pytest.mark.parametrize(("parent_license", "child_license", "warning"), WARNINGS)
def test_a_derived_entry_more_permissive_than_its_parent_is_warned_not_blocked(
    client, editor, ibm, parent_license, child_license, warning
):
    parent = make_artifact("parent", license=parent_license)
    data = admin_entry_form(
        ibm,
        license_expression=child_license,
        **relation_rows({"relation_type": RelationType.FINE_TUNED_FROM, "target": parent.pk}),
    )
    response = client.post(reverse("admin:catalog_modelentry_add"), data)
    assert response.status_code == 302  # saved all the same
    texts = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    if warning is None:
        assert texts == []
    else:
        assert len(texts) == 1
        assert warning in texts[0]
        assert parent_license in texts[0]


# -- derived, read-only fields ------------------------------------------------------------


def test_the_change_page_shows_the_openness_class_and_what_is_missing(client, editor, ibm):
    model = make_artifact(lead=ibm, status=ArtifactStatus.DRAFT, license="Apache-2.0")
    for component in list(Component)[:6]:  # Class III's six components
        OpennessComponent.objects.create(
            artifact=model, component=component, license_expression="Apache-2.0"
        )
    response = client.get(reverse("admin:catalog_modelentry_change", args=[model.pk]))
    content = response.content.decode()
    assert "Class III: Open Model" in content
    assert (
        "Missing for Class II (released under an open license): Training code, Inference code"
        in content
    )
    assert f"ibm/{model.slug}" in content
    assert "commercial use yes, share-alike no" in content


# -- the curators' desk -------------------------------------------------------------------


@pytest.fixture
def curator(client):
    user = create_curator("the-curator", password=None)
    client.force_login(user)
    return user


def test_the_review_queue(client, curator, ibm):
    waiting = make_artifact("waiting", lead=ibm, status=ArtifactStatus.IN_REVIEW)
    untouched = make_artifact("untouched", lead=ibm, status=ArtifactStatus.PUBLISHED)
    edited = make_artifact("edited", lead=ibm, status=ArtifactStatus.PUBLISHED)
    Artifact.objects.filter(pk__in=[untouched.pk, edited.pk]).update(
        published_at=untouched.updated_at
    )
    edited.refresh_from_db()
    edited.summary = "Changed after publication."
    edited.save()
    changelist = reverse("admin:catalog_artifact_changelist")
    in_review = client.get(changelist, {"queue": "in_review"}).context["cl"].result_list
    changed = client.get(changelist, {"queue": "changed"}).context["cl"].result_list
    assert list(in_review) == [waiting]
    assert list(changed) == [edited]


@pytest.mark.parametrize("section", ["artifact", "modelentry"])
def test_the_changelist_costs_the_same_for_many_entries(
    client, curator, ibm, section, django_assert_max_num_queries
):
    for number in range(30):
        make_artifact(f"entry-{number}", lead=ibm, license="Apache-2.0")
    with django_assert_max_num_queries(14):
        response = client.get(reverse(f"admin:catalog_{section}_changelist"))
    assert len(response.context["cl"].result_list) == 30


def test_the_send_back_action_asks_for_a_note_first(client, curator, ibm):
    waiting = make_artifact(lead=ibm, status=ArtifactStatus.IN_REVIEW)
    changelist = reverse("admin:catalog_modelentry_changelist")
    selection = {"action": "transition_send_back", "_selected_action": [waiting.pk]}
    asked = client.post(changelist, selection)
    assert asked.status_code == 200
    assert "Note for the editors" in asked.content.decode()
    assert Artifact.objects.get(pk=waiting.pk).status == ArtifactStatus.IN_REVIEW
    client.post(changelist, {**selection, "apply": "yes", "note": "Add sources."})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.review_note) == (ArtifactStatus.DRAFT, "Add sources.")


def test_the_editor_sees_the_curators_note(client, editor, ibm):
    draft = make_artifact(lead=ibm, status=ArtifactStatus.DRAFT, review_note="Add the paper.")
    response = client.get(reverse("admin:catalog_modelentry_change", args=[draft.pk]))
    assert "Curator's note: Add the paper." in response.content.decode()


def test_edges_to_another_members_draft_stay_hidden_from_contributors(client, editor, ibm):
    """IBM contributes to Meta's published entry, which Meta links to its own draft."""
    meta = make_organization("meta", name="Meta")
    shared = make_artifact("shared", lead=meta, contributors=(ibm,), kind="model")
    draft = make_artifact("zorblax-secret", lead=meta, status=ArtifactStatus.DRAFT, kind="model")
    Relation.objects.create(source=shared, target=draft, relation_type=RelationType.DERIVED_FROM)
    changelist = client.get(reverse("admin:catalog_relation_changelist"), {"q": "zorblax"})
    assert changelist.status_code == 200
    assert "meta/zorblax-secret" not in changelist.content.decode()
    assert "0 relations" in changelist.content.decode()
    change = client.get(reverse("admin:catalog_modelentry_change", args=[shared.pk]))
    assert change.status_code == 200
    assert "zorblax-secret" not in change.content.decode()


# -- the buttons on an entry's page --------------------------------------------------------


def workflow_forms(content: str) -> dict[str, str]:
    """The workflow buttons of a change page: {button label: its form's action}."""
    import re

    forms = re.findall(
        r'<form method="post" action="([^"]*)"[^>]*>.*?name="transition" value="([^"]+)"',
        content,
        flags=re.S,
    )
    return {label: action for action, label in forms}


@pytest.mark.parametrize(
    ("section", "kind"),
    [
        ("artifact", ArtifactKind.MODEL),
        ("modelentry", ArtifactKind.MODEL),
        ("datasetentry", ArtifactKind.DATASET),
        ("toolentry", ArtifactKind.TOOL),
    ],
)
def test_the_submit_button_posts_where_its_form_points(client, editor, ibm, section, kind):
    from urllib.parse import urljoin

    draft = make_artifact(lead=ibm, status=ArtifactStatus.DRAFT, kind=kind)
    change_url = reverse(f"admin:catalog_{section}_change", args=[draft.pk])
    buttons = workflow_forms(client.get(change_url).content.decode())
    assert list(buttons) == ["Submit for review"]
    # Where a browser sends the form: its action, resolved against the page's address.
    response = client.post(urljoin(change_url, buttons["Submit for review"]))
    assert response.status_code == 302
    assert response["Location"] == change_url
    assert Artifact.objects.get(pk=draft.pk).status == ArtifactStatus.IN_REVIEW
