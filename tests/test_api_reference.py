"""The rest of the read API: the index, detail, lineage, reference lists, query counts,
the OpenAPI schema and the Hugging Face link. Throttling: tests/test_throttling.py; real
responses against the schema: tests/test_openapi.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Artifact, Organization, Relation, Tag
from catalog.search.filters import ArtifactFilterSet
from tests.factories import make_artifact

pytestmark = pytest.mark.django_db


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content
    return response.json()


# ------------------------------------------------------------------------------
# Query counts do not grow with the page or with what each entry has.
# ------------------------------------------------------------------------------
def _catalog(entries: int, per_entry: int) -> None:
    tags = [Tag.objects.get_or_create(slug=f"tag-{i}")[0] for i in range(per_entry)]
    partners = [
        Organization.objects.get_or_create(slug=f"partner-{i}", defaults={"name": f"P{i}"})[0]
        for i in range(per_entry)
    ]
    previous = None
    for i in range(entries):
        artifact = make_artifact(
            f"entry-{i}",
            name=f"Entry {i}",
            contributors=tuple(partners),
            license="Apache-2.0 AND MIT",
        )
        artifact.tags.set(tags)
        if previous is not None:
            for n in range(per_entry):
                Relation.objects.create(
                    source=artifact,
                    relation_type="uses",
                    external_name=f"Work {n}",
                    external_kind="dataset",
                )
            Relation.objects.create(
                source=artifact, relation_type="fine_tuned_from", target=previous
            )
        previous = artifact


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


LIST_REQUESTS = [
    {},
    {"q": "entry", "facets": "kind,organization,license,task,language"},
    {"kind": "model", "tag": "tag-0", "ordering": "-parameters", "facets": "license"},
    {"q": "entry", "ordering": "released", "organization": "partner-0"},
]


@pytest.mark.parametrize("params", LIST_REQUESTS)
def test_list_queries_do_not_grow_with_page_size_or_relations(client, params):
    _catalog(entries=3, per_entry=1)
    small = _queries(client, "/api/v1/artifacts/", page_size=2, **params)
    Artifact.objects.all().delete()
    _catalog(entries=30, per_entry=5)
    large = _queries(client, "/api/v1/artifacts/", page_size=30, **params)
    assert small == large
    assert large <= 25


def test_detail_queries_do_not_grow_with_relations(client):
    _catalog(entries=3, per_entry=1)
    small = _queries(
        client,
        "/api/v1/artifacts/org-0/entry-1/".replace(
            "org-0", Artifact.objects.get(slug="entry-1").namespace
        ),
    )
    Artifact.objects.all().delete()
    _catalog(entries=3, per_entry=6)
    artifact = Artifact.objects.get(slug="entry-1")
    large = _queries(client, f"/api/v1/artifacts/{artifact.namespace}/entry-1/")
    assert small == large


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/",
        "/api/v1/organizations/",
        "/api/v1/organizations/partner-0/",
        "/api/v1/licenses/",
        "/api/v1/taxonomy/",
        "/api/v1/artifacts/{lead}/entry-1/lineage/",
    ],
)
def test_reference_queries_do_not_grow_with_the_catalog(client, url):
    _catalog(entries=3, per_entry=1)
    lead = Artifact.objects.get(slug="entry-1").namespace
    small = _queries(client, url.format(lead=lead))
    Artifact.objects.all().delete()
    _catalog(entries=30, per_entry=5)
    lead = Artifact.objects.get(slug="entry-1").namespace
    large = _queries(client, url.format(lead=lead))
    assert small == large
    assert large <= 6


def test_each_filterset_has_its_own_filters():
    """ArtifactFilterSet copies its declared filters shallowly (django-filter deep-copies
    them, at a third of a search's cost): what a request sets on them stays its own."""
    first = ArtifactFilterSet({"organization": "ibm"})
    second = ArtifactFilterSet({"organization": "meta"})
    declared = ArtifactFilterSet.base_filters["organization"]
    for filterset in (first, second):
        filter_ = filterset.filters["organization"]
        assert filter_ is not declared
        assert filter_.extra is not declared.extra
        assert filter_.parent is filterset
        assert filter_.model is Artifact
        assert filter_.filter.f is filter_  # its method resolves on its own filterset
    assert first.filters["organization"].field is not second.filters["organization"].field
    first.filters["organization"].extra["help_text"] = "changed"
    assert declared.extra["help_text"] != "changed"
    assert second.filters["organization"].extra["help_text"] != "changed"


# ------------------------------------------------------------------------------
# The index: /api/v1/ says where everything is.
# ------------------------------------------------------------------------------
def test_the_index_links_every_endpoint_the_schema_and_the_docs(
    client, seeded_catalog, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        body = get(client, "/api/v1/")
    assert body["name"] == "Alliance Catalog API"
    endpoints = body["endpoints"]
    assert endpoints["artifacts"] == "http://testserver/api/v1/artifacts/"
    assert endpoints["artifact"] == "http://testserver/api/v1/artifacts/{namespace}/{slug}/"
    assert endpoints["organization"] == "http://testserver/api/v1/organizations/{slug}/"
    filled = {"{namespace}": "meta", "{slug}": "llama-2"}
    for name, url in [*endpoints.items(), ("schema", body["schema"]), ("docs", body["docs"])]:
        if name == "organization":
            url = url.replace("{slug}", "meta")
        for placeholder, value in filled.items():
            url = url.replace(placeholder, value)
        assert url.startswith("http://testserver/"), name
        assert client.get(url).status_code == 200, name
    assert body["schema"] == "http://testserver/api/schema/"
    assert body["docs"] == "http://testserver/api/docs/"


# ------------------------------------------------------------------------------
# Detail and lineage
# ------------------------------------------------------------------------------
def test_detail_tells_everything(client, seeded_catalog):
    body = get(client, "/api/v1/artifacts/hugging-face/zephyr-7b-beta/")
    assert body["id"] == "hugging-face/zephyr-7b-beta"
    assert body["created_at"].endswith("Z")
    assert body["updated_at"].endswith("Z")
    assert {"fine_tuned_from", "trained_on"} <= {r["type"] for r in body["derived_from"]}
    assert any(r["external"] for r in body["derived_from"])  # Mistral-7B, not in the catalog
    assert body["sources"]
    assert set(body["openness"]) >= {"class", "missing_for_next", "components"}
    for part in body["license"]["parts"]:
        assert {"category", "commercial_use", "share_alike", "attribution"} <= set(part)


def test_detail_of_an_unknown_entry_is_404(client, seeded_catalog):
    get(client, "/api/v1/artifacts/meta/no-such-thing/", status=404)


def test_derivatives_point_back(client, seeded_catalog):
    body = get(client, "/api/v1/artifacts/meta/llama-2/")
    assert "meta/code-llama" in {r["artifact"] for r in body["derivatives"]}


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_lineage_graph(client, seeded_catalog, depth):
    body = get(client, "/api/v1/artifacts/meta/code-llama/lineage/", depth=depth)
    ids = {node["id"] for node in body["nodes"]}
    assert {"meta/code-llama", "meta/llama-2"} <= ids
    assert {"source": "meta/code-llama", "target": "meta/llama-2"}.items() <= next(
        e for e in body["edges"] if e["target"] == "meta/llama-2"
    ).items()
    for edge in body["edges"]:
        assert edge["source"] in ids
        assert edge["target"] in ids


@pytest.mark.parametrize("depth", ["0", "11", "two", "-1"])
def test_lineage_depth_is_checked(client, seeded_catalog, depth):
    body = get(client, "/api/v1/artifacts/meta/llama-2/lineage/", status=400, depth=depth)
    assert list(body) == ["depth"]


# ------------------------------------------------------------------------------
# Reference lists
# ------------------------------------------------------------------------------
def test_organizations_with_counts_per_kind(client, seeded_catalog):
    body = get(client, "/api/v1/organizations/")
    meta = next(o for o in body if o["slug"] == "meta")
    published = Artifact.objects.published().filter(contributions__organization__slug="meta")
    for kind in ("model", "dataset", "tool"):
        assert meta["artifact_counts"][kind] == published.filter(kind=kind).count()
    assert meta["html_url"] == "http://testserver/organizations/meta/"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "university"}, "kind"),
        ({"country": "US"}, "country"),
        ({"kind": ["university", "company"]}, "kind"),
    ],
)
def test_organizations_filter(client, seeded_catalog, params, field):
    body = get(client, "/api/v1/organizations/", **params)
    wanted = params[field] if isinstance(params[field], list) else [params[field]]
    assert body
    assert all(o[field] in wanted for o in body)


@pytest.mark.parametrize("params", [{"kind": "pirate"}, {"country": "Atlantis"}])
def test_organizations_bad_filter_is_400(client, seeded_catalog, params):
    assert list(get(client, "/api/v1/organizations/", status=400, **params)) == list(params)


def test_a_country_without_members_lists_none(client, seeded_catalog):
    """Any ISO 3166-1 code is a good value (the schema lists them all), not only the
    codes of today's members: Antarctica has none, and that is an empty list."""
    assert not Organization.objects.filter(country="AQ").exists()
    assert get(client, "/api/v1/organizations/", country="AQ") == []


def test_organization_detail(client, seeded_catalog):
    assert get(client, "/api/v1/organizations/ibm/")["name"] == "IBM"
    get(client, "/api/v1/organizations/nobody/", status=404)


def test_licenses_in_use(client, seeded_catalog):
    body = get(client, "/api/v1/licenses/")
    keys = {row["key"] for row in body}
    used = set(Artifact.objects.published().values_list("licenses__key", flat=True)) - {None}
    assert keys == used
    assert all(row["artifact_count"] > 0 and row["category"] for row in body)


def test_taxonomy_counts(client, seeded_catalog):
    body = get(client, "/api/v1/taxonomy/")
    text = next(t for t in body["tasks"] if t["slug"] == "text-generation")
    assert (
        text["count"] == Artifact.objects.published().filter(tasks__slug="text-generation").count()
    )
    assert {"tasks", "modalities", "languages"} == set(body)


# ------------------------------------------------------------------------------
# OpenAPI
# ------------------------------------------------------------------------------
def test_schema_validates_and_documents_every_search_parameter():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/artifacts/"]["get"]
    documented = {p["name"]: p for p in operation["parameters"]}
    expected = {*ArtifactFilterSet.base_filters, "q", "facets", "ordering", "page", "page_size"}
    assert expected <= set(documented)
    assert all(documented[name].get("description") for name in expected)
    assert {"200", "400", "429"} <= set(operation["responses"])
    for path in (
        "/api/v1/organizations/",
        "/api/v1/licenses/",
        "/api/v1/taxonomy/",
        "/api/v1/artifacts/{namespace}/{slug}/lineage/",
    ):
        assert path in schema["paths"]


def test_spectacular_command_has_no_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"https://" not in docs.content.split(b"<body")[0] or b"cdn" not in docs.content


# ------------------------------------------------------------------------------
# The Hugging Face link: one rule (Artifact.huggingface_url), the same everywhere.
# ------------------------------------------------------------------------------
HUGGINGFACE_LINKS = [
    ("model", "ibm-granite/granite-3.0-8b", "https://huggingface.co/ibm-granite/granite-3.0-8b"),
    ("dataset", "bigcode/the-stack", "https://huggingface.co/datasets/bigcode/the-stack"),
    ("tool", "instructlab/demo", "https://huggingface.co/spaces/instructlab/demo"),
]


@pytest.mark.parametrize(("kind", "repo_id", "expected"), HUGGINGFACE_LINKS)
def test_huggingface_link_is_the_same_in_the_api_and_on_the_page(client, kind, repo_id, expected):
    artifact = make_artifact(kind=kind, huggingface_repo_id=repo_id)
    assert artifact.huggingface_url == expected
    listed = get(client, "/api/v1/artifacts/", organization=artifact.namespace)["results"]
    assert [item["links"]["huggingface"] for item in listed] == [expected]
    detail = get(client, f"/api/v1/artifacts/{artifact.repo_id}/")
    assert detail["links"]["huggingface"] == expected
    page = client.get(artifact.get_absolute_url()).content.decode()
    assert f'href="{expected}"' in page
    assert page.count("https://huggingface.co/") == page.count(expected)


def test_no_huggingface_link_without_a_repo_id(client):
    artifact = make_artifact(kind="dataset")
    assert artifact.huggingface_url == ""
    assert "huggingface" not in get(client, f"/api/v1/artifacts/{artifact.repo_id}/")["links"]
    listed = get(client, "/api/v1/artifacts/", organization=artifact.namespace)["results"]
    assert "huggingface" not in listed[0]["links"]


def test_the_seeded_stack_links_to_its_dataset_page(client, seeded_catalog):
    item = get(client, "/api/v1/artifacts/", q="the stack", kind="dataset")["results"][0]
    assert item["links"]["huggingface"].startswith("https://huggingface.co/datasets/bigcode/")
