"""CKAN's action API, spoken to by the real client: ckanapi's RemoteCKAN and its command
line, over HTTP, against the live server holding the real catalog.

Every count is read from /api/v1/ or from the database, never written down: the same
question asked of CKAN and of /api/v1/ finds the same entries with the same counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

import ckanapi
import pytest
import requests
from django.test import Client
from django.utils import timezone

from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Contribution,
    ContributionRole,
    MembershipRole,
)
from catalog.protocols.ckan_packages import package_name
from catalog.tokens import issue_token
from tests.factories import make_artifact, make_member, make_organization

CKANAPI = Path(sys.executable).parent / "ckanapi"
# The catalog's facets that CKAN's four facet fields are made of.
CKAN_FACETS = ["organization", "license_id", "type", "tags"]
API_FACETS = "organization,license,kind,task,modality,language,tag"


@pytest.fixture
def ckan_server(live_server, seeded_rows, settings):
    """The live server with the real catalog; a client may make hundreds of calls."""
    from tests import seeded_snapshot

    settings.CATALOG_ANON_RATE = "100000/minute"
    seeded_snapshot.restore(seeded_rows)
    return live_server


@pytest.fixture
def bare_ckan(live_server, settings):
    """ckanapi against the live server with an empty catalog (for refusals)."""
    settings.CATALOG_ANON_RATE = "100000/minute"
    with ckanapi.RemoteCKAN(live_server.url) as remote:
        yield remote


@pytest.fixture
def ckan(ckan_server):
    with ckanapi.RemoteCKAN(ckan_server.url) as remote:
        yield remote


def api_v1(server, path: str, **params) -> dict:
    response = requests.get(f"{server.url}/api/v1/{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def public_ids() -> set[str]:
    return {a.repo_id for a in Artifact.objects.published()}


def expected_ckan_facets(server, facets: dict) -> dict[str, dict[str, int]]:
    """/api/v1/'s facets as CKAN's fields group them: tags are the tasks, modalities,
    languages and the free tags not spelled like a term of the taxonomy."""
    taxonomy = api_v1(server, "taxonomy/")
    terms = {t["slug"] for group in taxonomy.values() for t in group}

    def counts(*names: str) -> dict[str, int]:
        return {
            v["value"]: v["count"]
            for name in names
            for v in facets[name]
            if v["count"] and not (name == "tag" and v["value"] in terms)
        }

    return {
        "organization": counts("organization"),
        "license_id": counts("license"),
        "type": counts("kind"),
        "tags": counts("task", "modality", "language", "tag"),
    }


# ------------------------------------------------------------------------------
# package_search: the same question, the same answer as /api/v1/
# ------------------------------------------------------------------------------
QUESTIONS = [
    # (CKAN q and fq, /api/v1/ parameters)
    ({"fq": "organization:ibm"}, {"organization": "ibm"}),
    ({"q": "llama", "fq": "type:model"}, {"q": "llama", "kind": "model"}),
    (
        {"fq": 'tags:"text-generation" license_id:Apache-2.0'},
        {"task": "text-generation", "license": "Apache-2.0"},
    ),
    ({"q": "organization:meta code"}, {"q": "code", "organization": "meta"}),
    ({"fq": "tags:(en OR fr) +type:dataset"}, {"language": ["en", "fr"], "kind": "dataset"}),
    ({"fq": "tags:llm capacity:public"}, {"tag": "llm"}),
]


@pytest.mark.parametrize(("ckan_question", "api_question"), QUESTIONS)
def test_package_search_answers_as_api_v1(ckan, ckan_server, ckan_question, api_question):
    found = ckan.action.package_search(
        **ckan_question, rows=5, **{"facet.field": CKAN_FACETS, "facet.limit": -1}
    )
    ordering = "relevance" if "q" in api_question else "-updated"
    api = api_v1(
        ckan_server, "artifacts/", **api_question, facets=API_FACETS, page_size=5, ordering=ordering
    )
    assert found["count"] == api["count"] > 0
    assert [p["id"] for p in found["results"]] == [a["id"] for a in api["results"]]
    assert found["facets"] == expected_ckan_facets(ckan_server, api["facets"])
    assert any(found["facets"].values())  # the loop below has counts to compare
    for field, counts in found["facets"].items():
        items = found["search_facets"][field]["items"]
        assert {item["name"]: item["count"] for item in items} == counts


def test_start_pages_through_every_public_entry_exactly_once(ckan):
    seen = []
    start = 0
    while True:
        found = ckan.action.package_search(rows=7, start=start, sort="title_string asc")
        if not found["results"]:
            break
        seen += [package["id"] for package in found["results"]]
        start += len(found["results"])
    assert found["count"] == len(seen) == len(set(seen))
    assert set(seen) == public_ids()


def test_start_past_the_end_answers_no_results_but_the_count_and_facets(ckan):
    total = Artifact.objects.published().count()
    found = ckan.action.package_search(start=total + 50, **{"facet.field": ["type"]})
    assert found["results"] == []
    assert found["count"] == total
    assert sum(found["facets"]["type"].values()) == total


def test_rows_above_the_maximum_are_capped_silently_at_1000(live_server, settings):
    settings.CATALOG_ANON_RATE = "100000/minute"
    lead = make_organization("many")
    artifacts = Artifact.objects.bulk_create(
        Artifact(
            namespace="many",
            slug=f"entry-{number:04}",
            kind=ArtifactKind.MODEL,
            name=f"Entry {number:04}",
            summary="One of many.",
            status=ArtifactStatus.PUBLISHED,
            published_at=timezone.now(),
        )
        for number in range(1005)
    )
    Contribution.objects.bulk_create(
        Contribution(artifact=a, organization=lead, role=ContributionRole.LEAD) for a in artifacts
    )
    with ckanapi.RemoteCKAN(live_server.url) as remote:
        found = remote.action.package_search(rows=5000)
        rest = remote.action.package_search(rows=5000, start=1000)
    assert found["count"] == 1005
    assert len(found["results"]) == 1000
    assert len(rest["results"]) == 5
    assert {p["id"] for p in found["results"] + rest["results"]} == public_ids()


def test_facet_fields_are_read_in_all_three_shapes(ckan_server):
    """A JSON list in a POST body (ckanapi), repeated keys (its GET mode), and a JSON
    string (CKAN's documentation, curl users)."""
    fields = ["tags", "organization"]
    with ckanapi.RemoteCKAN(ckan_server.url, get_only=True) as getter:
        repeated = getter.action.package_search(fq="type:dataset", **{"facet.field": fields})
    with ckanapi.RemoteCKAN(ckan_server.url) as poster:
        listed = poster.action.package_search(fq="type:dataset", **{"facet.field": fields})
        as_string = poster.action.package_search(
            fq="type:dataset", **{"facet.field": json.dumps(fields)}
        )
    assert set(listed["facets"]) == set(fields)
    assert repeated["facets"] == listed["facets"] == as_string["facets"]
    assert repeated["search_facets"] == listed["search_facets"] == as_string["search_facets"]


def test_facet_limit_keeps_the_largest_values(ckan):
    everything = ckan.action.package_search(**{"facet.field": ["tags"], "facet.limit": -1})
    three = ckan.action.package_search(**{"facet.field": ["tags"], "facet.limit": 3})
    largest = sorted(everything["facets"]["tags"].values(), reverse=True)[:3]
    assert sorted(three["facets"]["tags"].values(), reverse=True) == largest


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        ("metadata_modified desc", "-updated"),
        ("metadata_modified asc", "updated"),
        ("title_string asc", "name"),
        ("title_string desc", "-name"),
        ("name asc", "name"),
        ("score desc, metadata_modified desc", "-updated"),  # no words: the second clause
        ("views_recent desc", "-updated"),  # no such data here: CKAN's default order
    ],
)
def test_sorts_read_as_the_catalogs_orderings(ckan, ckan_server, sort, ordering):
    found = ckan.action.package_search(sort=sort, rows=30)
    api = api_v1(ckan_server, "artifacts/", ordering=ordering, page_size=30)
    assert [p["id"] for p in found["results"]] == [a["id"] for a in api["results"]]
    assert found["sort"] == sort


def test_get_only_mode_answers_as_post(ckan_server):
    question = {
        "q": "granite",
        "fq": "organization:ibm",
        "rows": 4,
        "start": 2,
        "include_private": True,
        "facet.field": ["type", "tags"],
    }
    with ckanapi.RemoteCKAN(ckan_server.url, get_only=True) as getter:
        by_get = getter.action.package_search(**question)
        show = getter.action.package_show(id=by_get["results"][0]["name"])
    with ckanapi.RemoteCKAN(ckan_server.url) as poster:
        by_post = poster.action.package_search(**question)
    assert by_get == by_post
    assert by_get["count"] > 4
    assert show == by_get["results"][0]


def test_res_format_finds_exactly_the_packages_listing_that_format(ckan):
    everything = ckan.action.package_search(rows=1000)["results"]
    formats = {r["format"] for p in everything for r in p["resources"]}
    assert {"HTML", "Git", "Hugging Face", "PARQUET"} <= formats
    for format_ in formats:
        listing = {p["id"] for p in everything if format_ in {r["format"] for r in p["resources"]}}
        found = ckan.action.package_search(fq=f'res_format:"{format_}"', rows=1000)
        assert {p["id"] for p in found["results"]} == listing, format_
        assert found["count"] == len(listing)


# ------------------------------------------------------------------------------
# The other actions
# ------------------------------------------------------------------------------
def test_package_show_by_id_or_name_and_not_found(ckan):
    by_id = ckan.action.package_show(id="meta/llama-2")
    by_name = ckan.action.package_show(
        id=by_id["name"], include_datasets=False, include_password_hash=True
    )
    assert by_id == by_name
    assert by_id["name"] == "meta--llama-2"
    assert by_id["type"] == "model"
    assert by_id["organization"]["name"] == "meta"
    assert by_id["title"] == Artifact.objects.get_by_id("meta/llama-2").name
    with pytest.raises(ckanapi.NotFound, match="meta/no-such-model"):
        ckan.action.package_show(id="meta/no-such-model")
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.package_show()
    assert "id" in refused.value.error_dict


def test_package_show_maps_the_entry(ckan):
    artifact = (
        Artifact.objects.published()
        .filter(kind=ArtifactKind.DATASET, released_on__isnull=False)
        .exclude(formats=[])
        .exclude(huggingface_repo_id="")
        .first()
    )
    package = ckan.action.package_show(id=artifact.repo_id)
    tags = {t["name"] for t in package["tags"]}
    assert {t.slug for t in artifact.tasks.all()} <= tags
    assert {m.slug for m in artifact.modalities.all()} <= tags
    assert package["license_id"] == artifact.license_expression
    assert package["num_tags"] == len(package["tags"])
    resources = {(r["format"], r["url"]) for r in package["resources"]}
    assert ("Hugging Face", artifact.huggingface_url) in resources
    for data_format in artifact.formats:
        assert (data_format.upper(), artifact.huggingface_url) in resources
    assert {s.url for s in artifact.sources.all()} <= {r["url"] for r in package["resources"]}
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["release_date"] == artifact.released_display
    assert package["metadata_modified"] == (
        artifact.updated_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    )


def test_package_list_names_every_public_entry(ckan):
    names = ckan.action.package_list()
    assert names == sorted(names, key=lambda n: tuple(n.split("--")))
    assert names == [
        package_name(a) for a in Artifact.objects.published().order_by("namespace", "slug")
    ]
    assert ckan.action.package_list(limit=5, offset=5) == names[5:10]


def test_organizations_list_and_show(ckan, ckan_server):
    members = api_v1(ckan_server, "organizations/")
    counts = {m["slug"]: sum(m["artifact_counts"].values()) for m in members}
    listed = ckan.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in listed} == counts
    names = ckan.action.organization_list()
    assert sorted(names) == sorted(counts)
    by_count = ckan.action.organization_list(sort="package_count desc", limit=3, offset=0)
    assert [counts[name] for name in by_count] == sorted(counts.values(), reverse=True)[:3]

    nasa = ckan.action.organization_show(id="nasa", include_datasets=True)
    entries = api_v1(ckan_server, "artifacts/", organization="nasa", page_size=100)
    assert nasa["package_count"] == entries["count"] == counts["nasa"]
    assert {p["id"] for p in nasa["packages"]} == {a["id"] for a in entries["results"]}
    assert "packages" not in ckan.action.organization_show(id="nasa")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="no-such-member")


def test_tag_list_license_list_and_status_show(ckan, ckan_server):
    tags = ckan.action.tag_list()
    everything = ckan.action.package_search(rows=1000)["results"]
    assert tags == sorted({t["name"] for p in everything for t in p["tags"]})
    assert ckan.action.tag_list(query="generation") == [t for t in tags if "generation" in t]

    licenses = ckan.action.license_list()
    assert [lic["id"] for lic in licenses] == [
        lic["key"] for lic in api_v1(ckan_server, "licenses/")
    ]
    status = ckan.action.status_show()
    assert status["site_url"] == ckan_server.url
    assert status["api_version"] == 3


# ------------------------------------------------------------------------------
# The command line
# ------------------------------------------------------------------------------
def run_cli(*arguments: str, cwd: Path) -> str:
    # The dump starts worker processes that run `ckanapi` from the PATH.
    env = {**os.environ, "PATH": f"{CKANAPI.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(CKANAPI), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cli_search_datasets_pages_to_the_end(ckan_server, tmp_path):
    lines = run_cli("search", "datasets", "-r", ckan_server.url, "fq=type:dataset", cwd=tmp_path)
    found = [json.loads(line) for line in lines.splitlines()]
    datasets = Artifact.objects.published().filter(kind=ArtifactKind.DATASET)
    assert sorted(p["id"] for p in found) == sorted(a.repo_id for a in datasets)

    everything = run_cli("search", "datasets", "-r", ckan_server.url, "-g", cwd=tmp_path)
    assert len(everything.splitlines()) == Artifact.objects.published().count()


def test_cli_dump_datasets_all_holds_every_public_entry(ckan_server, tmp_path):
    output = tmp_path / "dump.jsonl"
    run_cli(
        "dump", "datasets", "--all", "-q", "-r", ckan_server.url, "-O", str(output), cwd=tmp_path
    )
    dumped = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(dumped) == Artifact.objects.published().count()
    assert {p["id"] for p in dumped} == public_ids()


# ------------------------------------------------------------------------------
# Visibility, addresses, keys, errors
# ------------------------------------------------------------------------------
def test_drafts_and_withdrawn_entries_are_not_visible(ckan):
    lead = make_organization("hidden-lab")
    draft = make_artifact("draft-model", lead=lead, status=ArtifactStatus.DRAFT)
    withdrawn = make_artifact("gone-model", lead=lead, status=ArtifactStatus.WITHDRAWN)
    found = ckan.action.package_search(rows=1000, q="model")
    everything = ckan.action.package_search(rows=1000)
    assert everything["count"] == Artifact.objects.published().count()
    for hidden in (draft, withdrawn):
        assert hidden.repo_id not in {p["id"] for p in everything["results"] + found["results"]}
        assert package_name(hidden) not in ckan.action.package_list()
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=hidden.repo_id)
    assert (
        "hidden-lab"
        not in ckan.action.package_search(**{"facet.field": ["organization"], "facet.limit": -1})[
            "facets"
        ]["organization"]
    )


def test_addresses_never_redirect(ckan_server):
    with ckanapi.RemoteCKAN(ckan_server.url + "/") as remote:
        assert remote.action.package_show(id="meta/llama-2")["name"] == "meta--llama-2"
    for path in ("/api/action/status_show/", "/api/3/action/status_show/"):
        for method in ("get", "post"):
            response = requests.request(
                method, ckan_server.url + path, allow_redirects=False, timeout=30
            )
            assert response.status_code == 200, (method, path)
            assert response.json()["success"] is True


def test_a_foreign_api_key_reads_as_anonymous(ckan_server):
    with ckanapi.RemoteCKAN(ckan_server.url, apikey="some-other-portal-key") as remote:
        found = remote.action.package_search(rows=1)
    assert found["count"] == Artifact.objects.published().count()


def test_a_members_token_as_ckanapi_key_shows_their_drafts(ckan_server):
    lead = make_organization("members-lab")
    draft = make_artifact("our-draft", lead=lead, status=ArtifactStatus.DRAFT)
    member = make_member(lead, MembershipRole.VIEWER)
    secret = issue_token(user=member, name="ckan", organizations=[lead], scopes=["read"]).secret
    question = {"fq": "organization:members-lab", "include_drafts": True}
    with ckanapi.RemoteCKAN(ckan_server.url, apikey=secret) as remote:
        mine = remote.action.package_search(**question)
        shown = remote.action.package_show(id=draft.repo_id)
    assert [p["id"] for p in mine["results"]] == [draft.repo_id]
    assert shown["state"] == "draft"
    with ckanapi.RemoteCKAN(ckan_server.url) as anonymous:
        assert anonymous.action.package_search(**question)["count"] == 0
        with pytest.raises(ckanapi.NotFound):
            anonymous.action.package_show(id=draft.repo_id)
    refused = ckanapi.RemoteCKAN(ckan_server.url, apikey="alc_revoked-or-unknown")
    with refused, pytest.raises(ckanapi.NotAuthorized):
        refused.action.package_show(id=draft.repo_id)


@pytest.mark.django_db
def test_a_signed_in_member_may_post_without_a_csrf_token():
    lead = make_organization("members-lab")
    draft = make_artifact("our-draft", lead=lead, status=ArtifactStatus.DRAFT)
    member = make_member(lead, MembershipRole.EDITOR)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        "/api/action/package_search",
        {"fq": "organization:members-lab", "include_drafts": True},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["result"]["results"]] == [draft.repo_id]
    assert response.json()["result"]["results"][0]["state"] == "draft"


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ({"rows": "abc"}, "rows"),
        ({"start": -1}, "start"),
        ({"fq": "organization:"}, "fq"),
        ({"fq": "flavour:vanilla"}, "fq"),
        ({"fq": "-type:model"}, "fq"),
        ({"fq": "organization:no-such-member"}, "fq"),
        ({"fq": "tags:no-such-tag"}, "fq"),
        ({"sort": "title_string sideways"}, "sort"),
        ({"facet.field": ["flavour"]}, "facet.field"),
        ({"facet.field": "[not json"}, "facet.field"),
        ({"q": "the"}, "q"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(bare_ckan, question, field):
    with pytest.raises(ckanapi.ValidationError) as refused:
        bare_ckan.action.package_search(**question)
    assert refused.value.error_dict["__type"] == "Validation Error"
    assert refused.value.error_dict[field]


def test_every_bad_parameter_is_named_at_once(ckan_server):
    response = requests.get(
        f"{ckan_server.url}/api/action/package_search",
        params={"rows": "abc", "start": "-1", "fq": "flavour:x"},
        timeout=30,
    )
    assert response.status_code == 409  # CKAN answers Validation Errors with 409
    body = response.json()
    assert body["success"] is False
    assert {"rows", "start", "fq"} <= set(body["error"])
    assert body["help"].endswith("/api/3/action/help_show?name=package_search")


def test_a_body_that_is_not_a_json_object_is_a_bad_request(ckan_server):
    url = f"{ckan_server.url}/api/action/package_search"
    for body in ('{"q": ', "[1, 2]"):
        response = requests.post(
            url, data=body, headers={"Content-Type": "application/json"}, timeout=30
        )
        assert response.status_code == 400
        assert response.json().startswith("Bad request - ")


def test_an_unknown_action_is_a_bad_request_as_in_ckan(ckan, ckan_server):
    with pytest.raises(ckanapi.CKANAPIError, match="Action name not known: package_create"):
        ckan.action.package_create(name="x")
    response = requests.post(f"{ckan_server.url}/api/action/no_such_action", json={}, timeout=30)
    assert response.status_code == 400


# ------------------------------------------------------------------------------
# Cost and rate
# ------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "question",
    [
        {"q": "model", "fq": "type:model", "rows": 5},
        {"q": "model", "fq": "type:model", "rows": 50},
        {"rows": 150},  # two of the search's pages
    ],
)
def test_package_search_reads_a_bounded_number_of_queries(
    client, seeded, django_assert_max_num_queries, question
):
    with django_assert_max_num_queries(22):
        response = client.post(
            "/api/action/package_search",
            {**question, "facet.field": CKAN_FACETS},
            content_type="application/json",
        )
    found = response.json()["result"]
    assert len(found["results"]) == min(question["rows"], found["count"]) > 0


@pytest.mark.django_db
def test_package_show_reads_a_bounded_number_of_queries(
    client, seeded, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = client.get("/api/action/package_show", {"id": "meta/llama-2"})
    assert response.json()["success"] is True


@pytest.mark.django_db
def test_anonymous_clients_share_the_api_rate(client, settings):
    settings.CATALOG_ANON_RATE = "2/minute"
    statuses = [client.get("/api/action/status_show").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = client.get("/api/action/status_show")
    assert throttled.json()["success"] is False
    assert throttled.json()["error"]["__type"] == "Throttled"
    assert int(throttled["Retry-After"]) > 0
    assert client.get("/api/v1/artifacts/").status_code == 429


@pytest.mark.django_db
def test_a_refused_token_of_ours_is_an_authorization_error(client):
    response = client.get(
        "/api/action/status_show", headers={"Authorization": "Bearer alc_not-a-real-token"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"
    assert "alc_not-a-real-token" not in response.content.decode()
