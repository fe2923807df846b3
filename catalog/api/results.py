"""A page of search results as the API's JSON, read in five plain SQL statements.

The list endpoint is the catalog's hottest path. Built with ArtifactSerializer, twenty
results cost a model instance for every organization, license, term and variant, a
nested serializer call for each, and two reverse() calls per entry: many times what the
database spends. Built through the ORM's querysets, each of the seven relations still
costs more to compose and compile than to run. So `search_results` reads the columns a
result shows with fixed SQL (one statement per shape of row), groups them by entry and
builds exactly ArtifactSerializer's JSON; tests/test_search_api.py holds the two equal,
byte for byte, and ArtifactSerializer still documents the shape in the OpenAPI schema.

Each statement lists related rows in their model's default ordering (as a prefetch
would), so grouping them by entry keeps that order. Values always travel as parameters.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse
from rest_framework.request import Request

from catalog.models.artifacts import huggingface_url, release_display

ARTIFACT_COLUMNS = (
    "id",
    "namespace",
    "slug",
    "kind",
    "name",
    "summary",
    "status",
    "license_expression",
    "license_note",
    "released_on",
    "release_precision",
    "openness_class",
    "homepage_url",
    "repository_url",
    "huggingface_repo_id",
    "paper_url",
)
LICENSE_FIELDS = (
    "key",
    "name",
    "url",
    "category",
    "commercial_use",
    "share_alike",
    "attribution",
    "use_restrictions",
)
VARIANT_FIELDS = ("name", "parameters", "active_parameters")
TERM_RELATIONS = (
    # (result field, link table, term column, term table, the term model's ordering)
    ("tasks", "catalog_artifact_tasks", "task_id", "catalog_task", "name"),
    ("modalities", "catalog_artifact_modalities", "modality_id", "catalog_modality", "name"),
    ("languages", "catalog_artifact_languages", "language_id", "catalog_language", "name"),
    ("tags", "catalog_artifact_tags", "tag_id", "catalog_tag", "slug"),
)

# `{ids}` becomes one placeholder per entry on the page; nothing else is substituted.
ARTIFACTS_SQL = f"SELECT {', '.join(ARTIFACT_COLUMNS)} FROM catalog_artifact WHERE id IN ({{ids}})"  # noqa: S608
ORGANIZATIONS_SQL = (
    "SELECT c.artifact_id, o.slug, o.name, c.role "
    "FROM catalog_contribution c JOIN catalog_organization o ON o.id = c.organization_id "
    "WHERE c.artifact_id IN ({ids}) "
    "ORDER BY c.role DESC, LOWER(o.name)"  # Contribution.Meta.ordering: the lead first
)
LICENSES_SQL = (
    f"SELECT al.artifact_id, {', '.join(f'l.{f}' for f in LICENSE_FIELDS)} "  # noqa: S608
    "FROM catalog_artifact_licenses al JOIN catalog_license l ON l.id = al.license_id "
    "WHERE al.artifact_id IN ({ids}) "
    "ORDER BY l.key"
)
TERMS_SQL = (
    " UNION ALL ".join(
        f"SELECT '{field}', link.artifact_id, term.slug, term.{order} "  # noqa: S608
        f"FROM {link_table} link JOIN {term_table} term ON term.id = link.{term_column} "
        "WHERE link.artifact_id IN ({ids})"
        for field, link_table, term_column, term_table, order in TERM_RELATIONS
    )
    + " ORDER BY 4"
)
VARIANTS_SQL = (
    f"SELECT artifact_id, {', '.join(VARIANT_FIELDS)} FROM catalog_modelvariant "  # noqa: S608
    "WHERE artifact_id IN ({ids}) "
    "ORDER BY parameters, name"  # ModelVariant.Meta.ordering
)


def artifact_links(
    *, homepage_url: str, repository_url: str, huggingface_url: str, paper_url: str
) -> dict[str, str]:
    """An entry's links that it has, by name."""
    links = {
        "homepage": homepage_url,
        "repository": repository_url,
        "huggingface": huggingface_url,
        "paper": paper_url,
    }
    return {name: value for name, value in links.items() if value}


def _rows(cursor, sql: str, ids: list[int], copies: int = 1) -> list[tuple]:
    cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), ids * copies)
    return cursor.fetchall()


def _by_artifact(rows: list[tuple]) -> defaultdict[int, list[tuple]]:
    """Rows whose first value is an artifact id: the rest of each row, by that id, in
    the rows' order."""
    grouped = defaultdict(list)
    for artifact_id, *values in rows:
        grouped[artifact_id].append(values)
    return grouped


@functools.lru_cache(maxsize=64)
def _path_prefix(view_name: str, script_prefix: str, urlconf: str | None) -> str:
    """The path of `view_name` for an entry, up to the entry's id. It depends only on
    the URLconf and the script prefix, so it is reversed once for each pair. Ids are
    URL-safe (ID_PART_PATTERN): prefix + "namespace/slug/" is what reverse() gives."""
    path = reverse(view_name, urlconf, kwargs={"namespace": "namespace", "slug": "slug"})
    prefix = path.removesuffix("namespace/slug/")
    if prefix == path:
        raise ValueError(f"{view_name} no longer ends with the entry's id: {path}")
    return prefix


def _url_prefix(request: Request, view_name: str) -> str:
    path = _path_prefix(view_name, get_script_prefix(), get_urlconf())
    return request.build_absolute_uri(path)


def search_results(ids: list[int], request: Request) -> list[dict]:
    """ArtifactSerializer(artifacts, many=True).data for the entries `ids`, in that order."""
    if not ids:
        return []
    with connection.cursor() as cursor:
        artifacts = {
            row[0]: dict(zip(ARTIFACT_COLUMNS, row, strict=True))
            for row in _rows(cursor, ARTIFACTS_SQL, ids)
        }
        organizations = _by_artifact(_rows(cursor, ORGANIZATIONS_SQL, ids))
        licenses = _by_artifact(_rows(cursor, LICENSES_SQL, ids))
        variants = _by_artifact(_rows(cursor, VARIANTS_SQL, ids))
        terms = {field: defaultdict(list) for field, *_ in TERM_RELATIONS}
        for field, artifact_id, slug, _ in _rows(
            cursor, TERMS_SQL, ids, copies=len(TERM_RELATIONS)
        ):
            terms[field][artifact_id].append(slug)
    api_prefix = _url_prefix(request, "api:artifact-detail")
    html_prefix = _url_prefix(request, "web:artifact")

    data = []
    for pk in ids:
        artifact = artifacts[pk]
        repo_id = f"{artifact['namespace']}/{artifact['slug']}"
        data.append(
            {
                "id": repo_id,
                "kind": artifact["kind"],
                "name": artifact["name"],
                "summary": artifact["summary"],
                "status": artifact["status"],
                "organizations": [
                    {"slug": slug, "name": name, "role": role}
                    for slug, name, role in organizations[pk]
                ],
                "license": {
                    "expression": artifact["license_expression"],
                    "note": artifact["license_note"],
                    "parts": [dict(zip(LICENSE_FIELDS, row, strict=True)) for row in licenses[pk]],
                },
                "released": release_display(artifact["released_on"], artifact["release_precision"]),
                "tasks": terms["tasks"][pk],
                "modalities": terms["modalities"][pk],
                "languages": terms["languages"][pk],
                "tags": terms["tags"][pk],
                "parameters": [dict(zip(VARIANT_FIELDS, row, strict=True)) for row in variants[pk]],
                "openness_class": artifact["openness_class"],
                "links": artifact_links(
                    homepage_url=artifact["homepage_url"],
                    repository_url=artifact["repository_url"],
                    huggingface_url=huggingface_url(
                        artifact["kind"], artifact["huggingface_repo_id"]
                    ),
                    paper_url=artifact["paper_url"],
                ),
                "url": f"{api_prefix}{repo_id}/",
                "html_url": f"{html_prefix}{repo_id}/",
            }
        )
    return data
