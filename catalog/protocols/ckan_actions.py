"""The CKAN actions the catalog answers, each a function (params, request) -> result.

All read, none write. Visibility is the catalog's: package_show finds what the reader
may see (Artifact.objects.visible_to), the lists and counts hold what the public sees
(Artifact.objects.published()), and package_search is the catalog's search
(catalog.protocols.ckan_search).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import Lower

from catalog.models import (
    PUBLIC_STATUSES,
    Artifact,
    Language,
    License,
    Modality,
    Organization,
    Tag,
    Task,
)
from catalog.protocols.ckan_packages import (
    NAME_SEPARATOR,
    find_package,
    organization_dict,
    package_dict,
    taxonomy_slugs,
)
from catalog.protocols.ckan_requests import NotFound, ValidationError, boolean, natural_number
from catalog.protocols.ckan_search import MAX_ROWS, package_search

# The CKAN release whose action API this follows, for clients that ask (status_show).
CKAN_VERSION = "2.10.0"
ORGANIZATION_SORTS = {
    "title": Lower("name"),
    "display_name": Lower("name"),
    "name": Lower("slug"),
    "package_count": "package_count",
}


def _required(params: dict, *names: str) -> str:
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    raise ValidationError({names[0]: ["Missing value"]})


def package_show(params: dict, request) -> dict:
    """One entry, by its id (ibm/granite-3.0-language-models) or its name
    (ibm--granite-3.0-language-models)."""
    id_or_name = _required(params, "id", "name_or_id")
    artifact = find_package(Artifact.objects.visible_to(request.user), id_or_name)
    if artifact is None:
        raise NotFound(
            f"No entry “{id_or_name}”; give an id such as ibm/granite-3.0-language-models "
            f"or a name such as ibm{NAME_SEPARATOR}granite-3.0-language-models."
        )
    return package_dict(artifact, request, taxonomy_slugs())


def package_list(params: dict, request) -> list[str]:
    """The names of every public entry, by name; `limit` and `offset` page them."""
    limit = natural_number(params, "limit", default=0)
    offset = natural_number(params, "offset", default=0)
    ids = (
        Artifact.objects.published().order_by("namespace", "slug").values_list("namespace", "slug")
    )
    ids = ids[offset : offset + limit] if limit else ids[offset:]
    return [f"{namespace}{NAME_SEPARATOR}{slug}" for namespace, slug in ids]


def _organizations_with_counts():
    # Entries led or contributed to, as the organization filter and facet count them.
    return Organization.objects.annotate(
        package_count=Count(
            "contributions", filter=Q(contributions__artifact__status__in=PUBLIC_STATUSES)
        )
    )


def _organization_order(sort: str) -> list:
    parts = sort.split()
    if not (
        1 <= len(parts) <= 2
        and parts[0] in ORGANIZATION_SORTS
        and (len(parts) == 1 or parts[1].lower() in {"asc", "desc"})
    ):
        raise ValidationError(
            {"sort": [f"Cannot sort by “{sort}”; use name, title or package_count, asc or desc."]}
        )
    key = ORGANIZATION_SORTS[parts[0]]
    order = F(key) if isinstance(key, str) else key
    descending = len(parts) == 2 and parts[1].lower() == "desc"
    return [order.desc() if descending else order.asc(), Lower("name"), "slug"]


def organization_list(params: dict, request) -> list:
    """The members: names, or with all_fields their details and package_count (entries
    led or contributed to). Takes sort (title asc by default; name, title,
    package_count), limit, offset, organizations (names) and q."""
    all_fields = boolean(params, "all_fields", default=False)
    limit = min(natural_number(params, "limit", default=MAX_ROWS), MAX_ROWS)
    offset = natural_number(params, "offset", default=0)
    organizations = _organizations_with_counts().order_by(
        *_organization_order(str(params.get("sort") or "title asc"))
    )
    names = params.get("organizations")
    if names:
        organizations = organizations.filter(slug__in=[names] if isinstance(names, str) else names)
    words = params.get("q")
    if isinstance(words, str) and words.strip():
        organizations = organizations.filter(
            Q(slug__icontains=words.strip()) | Q(name__icontains=words.strip())
        )
    organizations = organizations[offset : offset + limit] if limit else []
    if not all_fields:
        return [organization.slug for organization in organizations]
    return [
        organization_dict(organization, package_count=organization.package_count)
        for organization in organizations
    ]


def organization_show(params: dict, request) -> dict:
    """One member, by its name (its slug); with include_datasets, its entries (led or
    contributed to, by title, up to 1000) as packages."""
    name = _required(params, "id")
    organization = _organizations_with_counts().filter(slug=name).first()
    if organization is None:
        raise NotFound(f"No organization “{name}”; give its name, e.g. ibm.")
    data = organization_dict(organization, package_count=organization.package_count)
    data["extras"] = [
        {"key": key, "value": str(value)}
        for key, value in (
            ("full_name", organization.full_name),
            ("kind", organization.kind),
            ("country", organization.country),
            ("website", organization.website),
            ("founding_member", "true" if organization.founding_member else ""),
        )
        if value
    ]
    if boolean(params, "include_datasets", default=False):
        found = package_search(
            {"fq": f'organization:"{organization.slug}"', "rows": MAX_ROWS, "sort": "title asc"},
            request,
        )
        data["packages"] = found["results"]
        data["package_count"] = found["count"]
    return data


def tag_list(params: dict, request) -> list:
    """The tags of public entries (tasks, modalities, languages, free tags), by name;
    `query` keeps those containing it, `all_fields` gives dicts."""
    query = str(params.get("query") or params.get("q") or "").strip().lower()
    public = Q(artifacts__status__in=PUBLIC_STATUSES)
    taxonomy = taxonomy_slugs()
    found: dict[str, str] = {}
    for model in (Task, Modality, Language):
        for slug, name in model.objects.filter(public).distinct().values_list("slug", "name"):
            found[slug] = name
    for slug in Tag.objects.filter(public).distinct().values_list("slug", flat=True):
        if slug not in taxonomy:
            found[slug] = slug
    names = sorted(slug for slug in found if query in slug)
    if not boolean(params, "all_fields", default=False):
        return names
    return [
        {"id": slug, "name": slug, "display_name": found[slug], "vocabulary_id": None}
        for slug in names
    ]


def license_list(params: dict, request) -> list[dict]:
    """The licenses public entries use (as /api/v1/licenses/), with their plain-words
    answers; `id` is the SPDX id or LicenseRef key that license_id holds."""
    published = Artifact.objects.published().values("pk")
    licenses = License.objects.filter(artifacts__in=published).distinct().order_by("key")
    return [
        {
            "id": license.key,
            "title": license.name,
            "url": license.url,
            "status": "active",
            "category": license.category,
            "commercial_use": license.commercial_use,
            "share_alike": license.share_alike,
            "attribution": license.attribution,
            "use_restrictions": license.use_restrictions,
        }
        for license in licenses
    ]


def status_show(params: dict, request) -> dict:
    """What this site is, and which CKAN action API it answers."""
    return {
        "site_title": "Alliance Catalog",
        "site_description": settings.SPECTACULAR_SETTINGS["DESCRIPTION"],
        "site_url": request.build_absolute_uri("/").rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "api_version": 3,
        "locale_default": "en",
        "extensions": [],
    }


def help_show(params: dict, request) -> str:
    """What an action does (its `name`)."""
    name = _required(params, "name")
    if name not in ACTIONS:
        raise NotFound(f"Action function not found: {name}")
    return " ".join(ACTIONS[name].__doc__.split())


ACTIONS: dict[str, Callable[[dict, object], object]] = {
    "package_search": package_search,
    "package_show": package_show,
    "package_list": package_list,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "tag_list": tag_list,
    "license_list": license_list,
    "status_show": status_show,
    "help_show": help_show,
}
