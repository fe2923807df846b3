"""Changing entries over the API: PATCH, PUT and DELETE on `/api/v1/artifacts/<org>/<slug>/`,
validated by the admin's own form, saved as the admin saves (one history version naming
the user and the token), refused whole when any field is bad or read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from catalog.api.entries import READ_ONLY
from catalog.members import give_member_access
from catalog.models import (
    Artifact,
    ArtifactSearchDocument,
    ArtifactStatus,
    Language,
    Membership,
    MembershipRole,
    Relation,
    Task,
)
from catalog.tokens import issue_token
from tests.factories import admin_entry_form, make_artifact, make_member, make_organization

pytestmark = pytest.mark.django_db

S = ArtifactStatus


@pytest.fixture
def ibm():
    return make_organization("ibm")


@pytest.fixture
def editor(ibm):
    return make_member(ibm, MembershipRole.EDITOR, "ibm-editor")


@pytest.fixture
def secret(editor, ibm):
    return issue_token(
        user=editor, name="ci", organizations=[ibm], scopes=["read", "write", "submit"]
    ).secret


@pytest.fixture
def draft(ibm):
    return make_artifact("granite-x", lead=ibm, status=S.DRAFT, license="Apache-2.0")


def url(artifact) -> str:
    return f"/api/v1/artifacts/{artifact.namespace}/{artifact.slug}/"


def current(artifact) -> str:
    return Artifact.objects.get(pk=artifact.pk).etag


def send(client, method, artifact, secret, body=None, *, if_match="current"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if if_match == "current":
        headers["HTTP_IF_MATCH"] = current(artifact)
    elif if_match is not None:
        headers["HTTP_IF_MATCH"] = if_match
    call = getattr(client, method.lower())
    if body is None:
        return call(url(artifact), **headers)
    return call(url(artifact), body, "application/json", **headers)


def snapshot(artifact) -> tuple:
    row = Artifact.objects.filter(pk=artifact.pk).values().first()
    document = ArtifactSearchDocument.objects.filter(artifact_id=artifact.pk).values().first()
    tasks = sorted(Task.objects.filter(artifacts__pk=artifact.pk).values_list("slug", flat=True))
    return row, document, tasks, Artifact.history.filter(id=artifact.pk).count()


# ------------------------------------------------------------------------------
# PATCH
# ------------------------------------------------------------------------------
def test_patch_changes_the_fields_sent_and_keeps_the_others(client, secret, draft, editor):
    Task.objects.create(slug="text-generation", name="Text generation")
    history = draft.history.count()
    response = send(
        client,
        "PATCH",
        draft,
        secret,
        {
            "summary": "A compact model for code.",
            "license_expression": "apache-2.0 and mit",
            "release_date": "2024-05",
            "tasks": ["text-generation"],
            "homepage_url": "https://example.org/granite",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["summary"] == "A compact model for code."
    assert body["name"] == "Granite X"  # kept
    assert body["license"]["expression"] == "Apache-2.0 AND MIT"  # the admin's normalizing
    assert body["released"] == draft.__class__.objects.get(pk=draft.pk).released_display
    assert body["released"]
    assert body["tasks"] == ["text-generation"]
    assert response["ETag"] == current(draft)
    draft.refresh_from_db()
    assert sorted(draft.licenses.values_list("key", flat=True)) == ["Apache-2.0", "MIT"]
    assert draft.status == S.DRAFT
    # One version for the whole write, naming the user and the token.
    assert draft.history.count() == history + 1
    version = draft.history.first()
    assert version.history_user == editor
    assert version.history_api_token.name == "ci"
    assert version.history_change_reason.startswith("Changed over the API: ")
    # The search document follows.
    document = ArtifactSearchDocument.objects.get(artifact_id=draft.pk)
    assert "compact" in document.summary


@pytest.mark.parametrize("field", sorted(READ_ONLY))
def test_every_read_only_field_is_400_naming_it_and_nothing_applies(client, secret, draft, field):
    before = snapshot(draft)
    for method in ("PATCH", "PUT"):
        response = send(client, method, draft, secret, {"summary": "New.", field: "x"})
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert "read-only" in response.json()[field][0]
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"license_expression": "Apache-2.0 AND NOT-A-LICENSE"}, "license_expression"),
        ({"license_expression": "Apache-2.0 AND"}, "license_expression"),
        ({"release_date": "May the fourth"}, "release_date"),
        ({"homepage_url": "not a url at all"}, "homepage_url"),
        ({"name": ""}, "name"),
        ({"tasks": ["no-such-task"]}, "tasks"),
        ({"tasks": "text-generation"}, "tasks"),
        ({"lead_organization": "nobody"}, "lead_organization"),
        ({"tags": [f"tag-{n}" for n in range(101)]}, "tags"),
        ({"surprise": 1}, "surprise"),
        ({"tool_category": "library"}, "tool_category"),  # a model is not a tool
        ({"formats": ["csv"]}, "formats"),  # nor a dataset
    ],
)
def test_bad_values_are_400_naming_the_field(client, secret, draft, body, field):
    before = snapshot(draft)
    response = send(client, "PATCH", draft, secret, {"summary": "Changed.", **body})
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert snapshot(draft) == before


def test_put_empties_what_it_leaves_out(client, secret, draft):
    send(client, "PATCH", draft, secret, {"version": "1.0", "description": "Long."})
    response = send(client, "PUT", draft, secret, {"name": "Granite X", "summary": "Only."})
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert (draft.summary, draft.version, draft.description) == ("Only.", "", "")
    assert draft.license_expression == ""
    assert not draft.licenses.exists()


def test_put_without_a_required_field_is_400(client, secret, draft):
    before = snapshot(draft)
    response = send(client, "PUT", draft, secret, {"name": "Granite X"})
    assert response.status_code == 400
    assert list(response.json()) == ["summary"]
    assert snapshot(draft) == before


def test_a_published_entry_keeps_its_status_and_publication(client, secret, ibm):
    entry = make_artifact("granite-p", lead=ibm, status=S.PUBLISHED)
    published_at = entry.published_at
    response = send(client, "PATCH", entry, secret, {"summary": "Edited after publishing."})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.status, entry.published_at) == (S.PUBLISHED, published_at)


def test_patch_needs_if_match_and_refuses_a_stale_one(client, secret, draft):
    before = snapshot(draft)
    assert send(client, "PATCH", draft, secret, {"summary": "A."}, if_match=None).status_code == 428
    stale = send(client, "PATCH", draft, secret, {"summary": "A."}, if_match='"1.0"')
    assert stale.status_code == 412
    assert stale.json()["summary"] == draft.summary
    assert snapshot(draft) == before


def test_a_token_that_may_only_read_is_403(client, editor, ibm, draft):
    reader = issue_token(user=editor, name="ro", organizations=[ibm], scopes=["read"]).secret
    before = snapshot(draft)
    response = send(client, "PATCH", draft, reader, {"summary": "A."})
    assert response.status_code == 403
    assert snapshot(draft) == before


def test_moving_the_lead_needs_the_token_for_the_new_lead_too(client, editor, secret, draft):
    meta = make_organization("meta")
    Membership.objects.create(user=editor, organization=meta, role=MembershipRole.EDITOR)
    before = snapshot(draft)
    response = send(client, "PATCH", draft, secret, {"lead_organization": "meta"})
    assert response.status_code == 403
    assert snapshot(draft) == before


def test_a_patch_costs_a_bounded_number_of_queries(
    client, secret, draft, django_assert_max_num_queries
):
    tag = current(draft)
    with django_assert_max_num_queries(90):
        response = send(client, "PATCH", draft, secret, {"summary": "Bounded."}, if_match=tag)
    assert response.status_code == 200


# ------------------------------------------------------------------------------
# DELETE
# ------------------------------------------------------------------------------
def test_delete_removes_a_draft_and_its_history_names_the_token(client, secret, draft, editor):
    pk = draft.pk
    response = send(client, "DELETE", draft, secret)
    assert response.status_code == 204
    assert not Artifact.objects.filter(pk=pk).exists()
    assert not ArtifactSearchDocument.objects.filter(artifact_id=pk).exists()
    last = Artifact.history.filter(id=pk).first()
    assert last.history_type == "-"
    assert last.history_user == editor
    assert last.history_api_token.name == "ci"


def test_delete_refuses_what_the_public_has_seen(client, secret, ibm):
    entry = make_artifact("granite-p", lead=ibm, status=S.PUBLISHED)
    before = snapshot(entry)
    response = send(client, "DELETE", entry, secret)
    assert response.status_code == 409
    assert "withdraw" in response.json()["detail"]
    assert snapshot(entry) == before


def test_delete_needs_if_match(client, secret, draft):
    assert send(client, "DELETE", draft, secret, if_match=None).status_code == 428
    assert Artifact.objects.filter(pk=draft.pk).exists()


# ------------------------------------------------------------------------------
# POST: a new draft
# ------------------------------------------------------------------------------
NEW = {
    "slug": "granite-4",
    "kind": "model",
    "name": "Granite 4",
    "summary": "A family of open models.",
    "lead_organization": "ibm",
    "license_expression": "Apache-2.0",
    "release_date": "2025-10",
    "architecture": "Hybrid Mamba-2 / transformer",
}


def create(client, secret, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/artifacts/", body, "application/json", **headers)


def test_post_creates_a_draft_for_the_tokens_organization(client, secret, editor, ibm):
    response = create(client, secret, NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["id"], body["status"], body["kind"]) == ("ibm/granite-4", "draft", "model")
    assert response["Location"].endswith("/api/v1/artifacts/ibm/granite-4/")
    entry = Artifact.objects.get(namespace="ibm", slug="granite-4")
    assert response["ETag"] == entry.etag
    assert entry.lead_organization == ibm
    assert list(entry.licenses.values_list("key", flat=True)) == ["Apache-2.0"]
    # One version: its creation, naming the user and the token.
    versions = list(entry.history.all())
    assert len(versions) == 1
    assert versions[0].history_type == "+"
    assert (versions[0].history_user, versions[0].history_api_token.name) == (editor, "ci")
    # It reads back as it was sent.
    again = client.get(response["Location"], HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert again.json() == body


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, secret):
    first = create(client, secret, NEW, key="release-4.0.0")
    retry = create(client, secret, NEW, key="release-4.0.0")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["ETag"] == first["ETag"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Artifact.objects.filter(slug="granite-4").count() == 1
    assert Artifact.history.filter(slug="granite-4").count() == 1


def test_the_same_key_with_another_request_is_422(client, secret):
    create(client, secret, NEW, key="k1")
    response = create(client, secret, {**NEW, "slug": "granite-5"}, key="k1")
    assert response.status_code == 422
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Artifact.objects.filter(slug="granite-5").exists()


def test_without_a_key_a_second_post_is_refused_by_the_taken_id(client, secret):
    assert create(client, secret, NEW).status_code == 201
    again = create(client, secret, NEW)
    assert again.status_code == 400
    assert list(again.json()) == ["slug"]


@pytest.mark.parametrize("field", sorted(set(READ_ONLY) - {"slug", "kind"}))
def test_every_read_only_field_in_a_creation_is_400_naming_it(client, secret, field):
    before = Artifact.objects.count(), Artifact.history.count()
    response = create(client, secret, {**NEW, field: "x"})
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert "read-only" in response.json()[field][0]
    assert (Artifact.objects.count(), Artifact.history.count()) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "bad--slug"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"kind": "spaceship"}, "kind"),
        ({"license_expression": "Apache-2.0 OR"}, "license_expression"),
        ({"status": "published"}, "status"),
        ({"published_at": "2024-01-01T00:00:00Z"}, "published_at"),
        ({"openness_class": "I"}, "openness_class"),
        ({"id": "ibm/other"}, "id"),
        ({"created_at": "2024-01-01T00:00:00Z"}, "created_at"),
        ({"formats": ["csv"]}, "formats"),  # a model has no formats
        ({"lead_organization": "nobody"}, "lead_organization"),
    ],
)
def test_bad_creations_are_400_and_create_nothing(client, secret, change, field):
    before = Artifact.objects.count(), Artifact.history.count()
    response = create(client, secret, {**NEW, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert (Artifact.objects.count(), Artifact.history.count()) == before


def test_creating_for_another_organization_is_403(client, secret):
    make_organization("meta")
    response = create(client, secret, {**NEW, "lead_organization": "meta"})
    assert response.status_code == 403
    assert not Artifact.objects.filter(slug="granite-4").exists()


def test_a_dataset_takes_its_own_fields(client, secret):
    body = {
        **{k: v for k, v in NEW.items() if k != "architecture"},
        "kind": "dataset",
        "slug": "granite-data",
        "size_value": "12.5",
        "size_unit": "tokens",
        "formats": ["parquet"],
    }
    response = create(client, secret, body)
    assert response.status_code == 201, response.content
    assert response.json()["formats"] == ["parquet"]


# ------------------------------------------------------------------------------
# The API and the admin make the same entry from the same data
# ------------------------------------------------------------------------------
SAME = {
    "name": "Granite Same",
    "summary": "The same model, twice.",
    "description": "Made **twice**.",
    "version": "2.1",
    "release_date": "2024-05",
    "homepage_url": "https://example.org/granite",
    "repository_url": "https://github.com/example/granite",
    "huggingface_repo_id": "example/granite",
    "paper_url": "https://arxiv.org/abs/2405.00001",
    "license_expression": "Apache-2.0 AND MIT",
    "license_note": "Weights and code.",
    "architecture": "decoder-only transformer",
    "notes": "Checked against the model card.",
}


def comparable(artifact: Artifact) -> dict:
    """Everything stored about an entry but what tells two entries apart."""
    values = Artifact.objects.filter(pk=artifact.pk).values().get()
    for field in ("id", "slug", "created_at", "updated_at", "edit_count"):
        values.pop(field)
    values["licenses"] = sorted(artifact.licenses.values_list("key", flat=True))
    values["tasks"] = sorted(artifact.tasks.values_list("slug", flat=True))
    values["languages"] = sorted(artifact.languages.values_list("slug", flat=True))
    values["contributions"] = sorted(artifact.contributions.values_list("organization", "role"))
    values["sources"] = list(artifact.sources.values_list("url", "position"))
    values["variants"] = list(
        artifact.variants.values_list("name", "parameters", "active_parameters")
    )
    values["openness"] = list(
        artifact.openness_components.values_list(
            "component", "included", "license_expression", "unlicensed", "location"
        )
    )
    values["versions"] = [
        (v.history_type, v.history_user_id, v.status) for v in artifact.history.all()
    ]
    document = ArtifactSearchDocument.objects.filter(artifact_id=artifact.pk).values().get()
    values["document"] = {k: v for k, v in document.items() if k not in ("id", "artifact_id")}
    values["document"]["card"].pop("id")  # the card names the entry by its id
    return values


def admin_inlines(contributor) -> dict:
    """What the admin's inline forms post for LISTS."""
    data = {
        "contributions-TOTAL_FORMS": "1",
        "contributions-0-organization": contributor.pk,
        "sources-TOTAL_FORMS": "2",
        "variants-TOTAL_FORMS": "2",
        "openness_components-TOTAL_FORMS": "3",
    }
    for index, source in enumerate(LISTS["sources"]):
        data.update({f"sources-{index}-url": source, f"sources-{index}-position": index})
    for index, variant in enumerate(LISTS["parameters"]):
        for name, value in variant.items():
            data[f"variants-{index}-{name}"] = "" if value is None else value
    for index, component in enumerate(LISTS["openness_components"]):
        prefix = f"openness_components-{index}"
        data[f"{prefix}-component"] = component["component"]
        data[f"{prefix}-license_expression"] = component["license"]
        data[f"{prefix}-location"] = component["location"]
        for flag in ("included", "unlicensed"):
            if component[flag]:
                data[f"{prefix}-{flag}"] = "on"
    return data


def test_an_entry_made_over_the_api_equals_one_made_in_the_admin(client, editor, ibm, secret):
    task = Task.objects.create(slug="text-generation", name="Text generation")
    language = Language.objects.create(slug="en", name="English")
    give_member_access(editor)

    nasa = make_organization("nasa")
    response = create(
        client,
        secret,
        {
            **SAME,
            "slug": "by-api",
            "kind": "model",
            "lead_organization": "ibm",
            "tasks": ["text-generation"],
            "languages": ["en"],
            **LISTS,
        },
    )
    assert response.status_code == 201, response.content

    client.force_login(editor)
    admin = client.post(
        reverse("admin:catalog_modelentry_add"),
        admin_entry_form(
            ibm,
            slug="by-admin",
            tasks=[task.pk],
            languages=[language.pk],
            **SAME,
            **admin_inlines(nasa),
        ),
    )
    assert admin.status_code == 302, admin.content[:2000]

    by_api = Artifact.objects.get(namespace="ibm", slug="by-api")
    by_admin = Artifact.objects.get(namespace="ibm", slug="by-admin")
    assert comparable(by_api) == comparable(by_admin)
    # And a change of each, with the same data, keeps them equal.
    patch = send(client, "PATCH", by_api, secret, {"summary": "Changed.", "tasks": []})
    assert patch.status_code == 200
    form = admin_entry_form(ibm, languages=[language.pk], **{**SAME, "summary": "Changed."})
    form.pop("slug")
    changed = client.post(reverse("admin:catalog_modelentry_change", args=[by_admin.pk]), form)
    assert changed.status_code == 302, changed.content[:2000]
    a, b = comparable(by_api), comparable(by_admin)
    assert a == b


# ------------------------------------------------------------------------------
# Lineage edges, checked by the admin's formset
# ------------------------------------------------------------------------------
def edges_of(artifact) -> list[tuple]:
    rows = Relation.objects.filter(source_id=artifact.pk).values_list(
        "relation_type", "target__slug", "external_name"
    )
    return sorted((kind, target or "", name) for kind, target, name in rows)


def test_patch_sets_the_whole_list_of_edges(client, secret, draft, ibm):
    base = make_artifact("granite-base", lead=ibm, status=S.PUBLISHED)
    data = make_artifact("granite-data", lead=ibm, status=S.PUBLISHED, kind="dataset")
    response = send(
        client,
        "PATCH",
        draft,
        secret,
        {
            "relations": [
                {"type": "fine_tuned_from", "artifact": "ibm/granite-base"},
                {"type": "trained_on", "artifact": "ibm/granite-data"},
                {
                    "type": "trained_on",
                    "external": {
                        "name": "The Pile",
                        "kind": "dataset",
                        "url": "https://pile.eleuther.ai",
                    },
                },
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert edges_of(draft) == [
        ("fine_tuned_from", "granite-base", ""),
        ("trained_on", "", "The Pile"),
        ("trained_on", "granite-data", ""),
    ]
    assert {e["artifact"] for e in response.json()["derived_from"]} == {
        base.repo_id,
        data.repo_id,
        None,
    }
    kept = Relation.objects.get(source_id=draft.pk, target=base).pk
    # The next PATCH keeps what it lists (the same row) and drops the rest.
    again = send(
        client,
        "PATCH",
        draft,
        secret,
        {"relations": [{"type": "fine_tuned_from", "artifact": "ibm/granite-base"}]},
    )
    assert again.status_code == 200, again.content
    assert edges_of(draft) == [("fine_tuned_from", "granite-base", "")]
    assert Relation.objects.get(source_id=draft.pk).pk == kept
    # A PATCH without `relations` leaves them alone.
    send(client, "PATCH", draft, secret, {"summary": "Only this."})
    assert edges_of(draft) == [("fine_tuned_from", "granite-base", "")]


@pytest.mark.parametrize(
    ("relations", "words"),
    [
        ([{"type": "trained_on", "artifact": "ibm/granite-base"}], "dataset"),  # kinds
        ([{"type": "fine_tuned_from", "artifact": "ibm/nothing"}], "no entry"),
        ([{"type": "fine_tuned_from"}], "either"),
        ([{"type": "no_such_type", "artifact": "ibm/granite-base"}], "no_such_type"),
        ("fine_tuned_from", "list"),
    ],
)
def test_bad_edges_are_400_naming_relations(client, secret, draft, ibm, relations, words):
    make_artifact("granite-base", lead=ibm, status=S.PUBLISHED)
    before = snapshot(draft), edges_of(draft)
    response = send(client, "PATCH", draft, secret, {"summary": "X.", "relations": relations})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["relations"]
    assert words in " ".join(response.json()["relations"])
    assert (snapshot(draft), edges_of(draft)) == before


def test_an_edge_that_closes_a_cycle_is_refused(client, secret, draft, ibm):
    child = make_artifact("granite-child", lead=ibm, status=S.DRAFT)
    Relation.objects.create(source=child, relation_type="fine_tuned_from", target=draft)
    before = snapshot(draft), edges_of(draft)
    response = send(
        client,
        "PATCH",
        draft,
        secret,
        {"relations": [{"type": "fine_tuned_from", "artifact": "ibm/granite-child"}]},
    )
    assert response.status_code == 400, response.content
    assert "cycle" in " ".join(response.json()["relations"]).lower()
    assert (snapshot(draft), edges_of(draft)) == before


def test_post_creates_an_entry_with_its_edges(client, secret, ibm):
    make_artifact("granite-base", lead=ibm, status=S.PUBLISHED)
    body = {**NEW, "relations": [{"type": "fine_tuned_from", "artifact": "ibm/granite-base"}]}
    response = create(client, secret, body)
    assert response.status_code == 201, response.content
    entry = Artifact.objects.get(slug="granite-4")
    assert edges_of(entry) == [("fine_tuned_from", "granite-base", "")]
    wrong = create(
        client,
        secret,
        {
            **NEW,
            "slug": "granite-5",
            "relations": [{"type": "trained_on", "artifact": "ibm/granite-base"}],
        },
    )
    assert wrong.status_code == 400
    assert list(wrong.json()) == ["relations"]
    assert not Artifact.objects.filter(slug="granite-5").exists()


def test_a_body_over_the_size_limit_is_413_and_nothing_applies(client, secret, draft, settings):
    before = snapshot(draft)
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = send(client, "PATCH", draft, secret, {"description": huge})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.json() == {
        "detail": f"The request body is larger than the {limit:,} bytes an entry may take."
    }
    assert snapshot(draft) == before


# ------------------------------------------------------------------------------
# The entry's own lists, checked by the admin's inline formsets
# ------------------------------------------------------------------------------
LISTS = {
    "contributors": ["nasa"],
    "sources": ["https://example.org/card", "https://example.org/paper"],
    "parameters": [
        {"name": "8B", "parameters": 8_000_000_000, "active_parameters": None},
        {"name": "1B-A400M", "parameters": 1_300_000_000, "active_parameters": 400_000_000},
    ],
    "openness_components": [
        {
            "component": "model_card",
            "included": True,
            "license": "CC-BY-4.0",
            "unlicensed": False,
            "location": "https://example.org/card",
        },
        {
            "component": "data_card",
            "included": True,
            "license": "",
            "unlicensed": True,
            "location": "",
        },
        {
            "component": "datasets",
            "included": False,
            "license": "",
            "unlicensed": False,
            "location": "",
        },
    ],
}


def lists_read_back(body: dict) -> dict:
    """The lists as GET shows them, in the shape they are written in."""
    return {
        "contributors": [o["slug"] for o in body["organizations"] if o["role"] == "contributor"],
        "sources": body["sources"],
        "parameters": sorted(body["parameters"], key=lambda p: p["name"]),
        "openness_components": sorted(
            (
                {
                    key: c[key]
                    for key in ("component", "included", "license", "unlicensed", "location")
                }
                for c in body["openness"]["components"]
            ),
            key=lambda c: c["component"],
        ),
    }


def rows_of(artifact) -> dict:
    """The rows' ids by list: an unchanged list keeps them."""
    return {
        "contributions": sorted(artifact.contributions.values_list("pk", flat=True)),
        "sources": sorted(artifact.sources.values_list("pk", flat=True)),
        "variants": sorted(artifact.variants.values_list("pk", flat=True)),
        "openness": sorted(artifact.openness_components.values_list("pk", flat=True)),
    }


@pytest.fixture
def nasa():
    return make_organization("nasa")


def test_patch_sets_every_list_and_it_reads_back_equal(client, secret, draft, nasa):
    response = send(client, "PATCH", draft, secret, LISTS)
    assert response.status_code == 200, response.content
    expected = {
        **LISTS,
        "parameters": sorted(LISTS["parameters"], key=lambda p: p["name"]),
        "openness_components": sorted(LISTS["openness_components"], key=lambda c: c["component"]),
    }
    assert lists_read_back(response.json()) == expected
    again = client.get(url(draft), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert lists_read_back(again) == expected
    # The lead stays first; the openness class and the search card follow the lists.
    assert [o["role"] for o in again["organizations"]] == ["lead", "contributor"]
    assert again["openness"]["components"][0]["counts"] in (True, False)
    card = ArtifactSearchDocument.objects.get(artifact_id=draft.pk).card
    assert [p["name"] for p in card["parameters"]] == [p["name"] for p in again["parameters"]]
    assert "Nasa" in ArtifactSearchDocument.objects.get(artifact_id=draft.pk).organizations
    reason = draft.history.first().history_change_reason
    assert reason == (
        "Changed over the API: contributors, openness_components, parameters, sources"
    )


def test_a_list_sent_again_keeps_its_rows_and_a_changed_item_is_updated(
    client, secret, draft, nasa
):
    send(client, "PATCH", draft, secret, LISTS)
    rows = rows_of(draft)
    response = send(client, "PATCH", draft, secret, LISTS)
    assert response.status_code == 200, response.content
    assert rows_of(draft) == rows
    assert draft.history.first().history_change_reason == "Changed over the API: nothing"
    # A changed item is the same row, changed; an item left out goes; a new one comes.
    changed = {
        "parameters": [{"name": "8B", "parameters": 8_100_000_000}],
        "sources": ["https://example.org/paper", "https://example.org/new"],
    }
    response = send(client, "PATCH", draft, secret, changed)
    assert response.status_code == 200, response.content
    assert response.json()["parameters"] == [
        {"name": "8B", "parameters": 8_100_000_000, "active_parameters": None}
    ]
    assert response.json()["sources"] == ["https://example.org/paper", "https://example.org/new"]
    assert rows_of(draft)["variants"] == rows["variants"][:1]
    assert rows_of(draft)["sources"][0] == rows["sources"][1]


def test_put_empties_the_lists_it_leaves_out(client, secret, draft, nasa):
    send(client, "PATCH", draft, secret, LISTS)
    response = send(client, "PUT", draft, secret, {"name": "Granite X", "summary": "Only."})
    assert response.status_code == 200, response.content
    assert lists_read_back(response.json()) == {name: [] for name in LISTS}


def test_post_creates_an_entry_with_its_lists(client, secret, nasa):
    response = create(client, secret, {**NEW, **LISTS})
    assert response.status_code == 201, response.content
    assert lists_read_back(response.json())["contributors"] == ["nasa"]
    assert len(response.json()["parameters"]) == 2


@pytest.mark.parametrize(
    ("lists", "words"),
    [
        ({"contributors": ["nobody"]}, "no organization 'nobody'"),
        ({"contributors": ["ibm"]}, "ibm: Ibm is the lead organization"),
        ({"contributors": "nasa"}, "Send a list"),
        ({"contributors": [{"slug": "nasa"}]}, "slug"),
        ({"sources": ["not a url"]}, "Enter a valid URL"),
        ({"sources": ["https://example.org/a", "https://example.org/a"]}, "duplicate"),
        ({"sources": [f"https://example.org/{n}" for n in range(101)]}, "At most 100"),
        ({"parameters": [{"name": "7B", "parameters": 0}]}, "7B: The parameter count is"),
        (
            {"parameters": [{"name": "7B", "parameters": 7, "active_parameters": 8}]},
            "7B: The active parameters are a number above 0 and at most",
        ),
        ({"parameters": [{"name": "7B"}]}, "give parameters"),
        ({"parameters": [{"name": "7B", "parameters": 7, "size": 1}]}, "unknown field size"),
        ({"openness_components": [{"component": "weights"}]}, "not one of the available"),
        ({"openness_components": [{"component": "model_card", "included": "yes"}]}, "true"),
        (
            {"openness_components": [{"component": "model_card", "license": "NOT-A-LICENSE"}]},
            "model_card: license: Unknown license key(s): NOT-A-LICENSE",
        ),
        (
            {
                "openness_components": [
                    {"component": "model_card", "license": "MIT", "unlicensed": True}
                ]
            },
            "model_card: A component without a license names no license.",
        ),
        (
            {"openness_components": [{"component": "model_card", "unlicensed": 1}]},
            "unlicensed is true or false",
        ),
    ],
)
def test_bad_lists_are_400_naming_the_list_and_nothing_applies(
    client, secret, draft, nasa, lists, words
):
    before = (snapshot(draft), rows_of(draft))
    response = send(client, "PATCH", draft, secret, {"summary": "Changed.", **lists})
    assert response.status_code == 400, response.content
    [name] = lists
    assert list(response.json()) == [name], response.json()
    assert words.lower() in " ".join(response.json()[name]).lower(), response.json()
    assert (snapshot(draft), rows_of(draft)) == before


def test_a_models_lists_are_refused_on_a_dataset(client, secret, ibm):
    dataset = make_artifact("corpus", lead=ibm, kind="dataset", status=S.DRAFT)
    for name in ("parameters", "openness_components"):
        response = send(client, "PATCH", dataset, secret, {name: []})
        assert response.status_code == 400
        assert response.json()[name] == ["Only models have this field."]


def test_a_contributor_may_become_the_lead_in_one_write(client, editor, draft, nasa, ibm):
    Membership.objects.create(user=editor, organization=nasa, role=MembershipRole.EDITOR)
    secret = issue_token(
        user=editor, name="both", organizations=[ibm, nasa], scopes=["read", "write"]
    ).secret
    send(client, "PATCH", draft, secret, {"contributors": ["nasa"]})
    # Without saying what becomes of the contributor, the new lead would be listed twice.
    refused = send(client, "PATCH", draft, secret, {"lead_organization": "nasa"})
    assert refused.status_code == 400, refused.content
    assert "is the lead organization" in refused.json()["contributors"][0]
    response = send(
        client, "PATCH", draft, secret, {"lead_organization": "nasa", "contributors": []}
    )
    assert response.status_code == 200, response.content
    assert [(o["slug"], o["role"]) for o in response.json()["organizations"]] == [("nasa", "lead")]


def test_writing_the_lists_costs_a_bounded_number_of_queries(
    client, secret, draft, nasa, django_assert_max_num_queries
):
    tag = current(draft)
    # Each item is a row, its history and its checks: bounded by the lists' size cap.
    with django_assert_max_num_queries(140):
        response = send(client, "PATCH", draft, secret, LISTS, if_match=tag)
    assert response.status_code == 200, response.content
