"""What search engines and Google Dataset Search read: the sitemap index and its sections,
robots.txt, and the schema.org data on every entry page."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from catalog.models import Artifact, ArtifactKind, ArtifactStatus, Organization
from tests.factories import make_artifact, make_organization

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, url: str) -> dict[str, str | None]:
    """loc -> lastmod of every <url> or <sitemap> in the document at `url`."""
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's sitemap)
    entries = {}
    for item in root:
        lastmod = item.find(f"{SITEMAP}lastmod")
        entries[item.find(f"{SITEMAP}loc").text] = None if lastmod is None else lastmod.text
    return entries


def whole_sitemap(client) -> dict[str, str | None]:
    """Every address, reached as a crawler does: the index, then each sitemap it lists."""
    addresses = {}
    for section in locations(client, "/sitemap.xml"):
        addresses.update(locations(client, section.removeprefix("http://testserver")))
    return addresses


@pytest.mark.django_db
def test_the_sitemap_lists_every_published_entry_and_no_other(client, seeded_catalog):
    lead = make_organization("drafts-inc")
    hidden = [
        make_artifact("draft", lead=lead, status="draft"),
        make_artifact("in-review", lead=lead, status=ArtifactStatus.IN_REVIEW),
        make_artifact("gone", lead=lead, status="withdrawn", withdrawn_reason="Retracted."),
    ]
    addresses = whole_sitemap(client)
    published = list(Artifact.objects.published())
    entries = {loc: lastmod for loc, lastmod in addresses.items() if "/artifacts/" in loc}
    assert set(entries) == {f"http://testserver{a.get_absolute_url()}" for a in published}
    for artifact in published:
        lastmod = entries[f"http://testserver{artifact.get_absolute_url()}"]
        assert lastmod == artifact.updated_at.date().isoformat()
    for artifact in hidden:
        assert f"http://testserver{artifact.get_absolute_url()}" not in addresses
    for path in ("/", "/search/", "/organizations/"):
        assert f"http://testserver{path}" in addresses
    for organization in Organization.objects.all():
        assert f"http://testserver{organization.get_absolute_url()}" in addresses


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def json_ld(client, artifact: Artifact) -> dict:
    body = client.get(artifact.get_absolute_url()).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    return json.loads(match.group(1))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (ArtifactKind.DATASET, "Dataset"),
        (ArtifactKind.MODEL, "CreativeWork"),
        (ArtifactKind.TOOL, "SoftwareApplication"),
    ],
)
def test_every_published_entry_page_has_schema_org_data_of_its_type(
    client, seeded_catalog, kind, schema_type
):
    entries = list(Artifact.objects.published().filter(kind=kind))
    assert entries
    for artifact in entries:
        data = json_ld(client, artifact)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == schema_type
        assert data["name"] == artifact.name
        assert data["url"] == f"http://testserver{artifact.get_absolute_url()}"
        if kind == ArtifactKind.DATASET:
            assert data["includedInDataCatalog"] == {
                "@type": "DataCatalog",
                "name": settings.CATALOG_NAME,
                "url": "http://testserver/",
            }
        else:
            assert "includedInDataCatalog" not in data


def test_unverified_claims_stay_out_of_the_schema_org_data(client, db):
    dataset = make_artifact(
        kind=ArtifactKind.DATASET,
        unverified={"released": "2019-04", "license": "Apache-2.0"},
    )
    data = json_ld(client, dataset)
    assert "datePublished" not in data
    assert "license" not in data


def test_the_sitemap_takes_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    for _ in range(12):
        make_artifact()
    # A count and a latest change for each of the two sections read from the database.
    with django_assert_max_num_queries(4):
        client.get("/sitemap.xml")
    for section in ("pages", "organizations", "entries"):
        with django_assert_max_num_queries(2):
            response = client.get(f"/sitemap-{section}.xml")
        assert response.status_code == 200
