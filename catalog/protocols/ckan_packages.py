"""Catalog entries as CKAN packages: names, organizations, tags and resources.

An entry is one CKAN package (CKAN calls them datasets whatever they hold):

- `id` is the catalog's id (`ibm/granite-3.0-language-models`) and `name` the same id
  with `--` for the slash (`ibm--granite-3.0-language-models`), one URL path segment
  as huggingface_hub flattens repo ids: ids never hold `--`, so the name reads back
  exactly. package_show takes either.
- `type` is the kind (model, dataset, tool); `state` is "active" for what the public
  sees, "draft" for a member's unpublished entry, "deleted" for a withdrawn one.
- `organization` is the lead organization; fq `organization:` matches lead or
  contributor, as the catalog's own `organization` filter does.
- `tags` are the entry's tasks, modalities, languages and free tags. A free tag spelled
  like a term of the taxonomy is read as that term (the term's filter answers for it),
  so every tag a package shows is a tag that finds it.
- `resources` are what the entry links to, each with a format that `res_format:`
  filters on: the homepage and the paper (HTML, or PDF when the address ends in .pdf),
  the repository (Git), the Hugging Face repository (Hugging Face), the sources that
  back its facts (HTML or PDF), and for a dataset one resource per data format it is
  published in (PARQUET, JSON, ...), pointing where the data is (its Hugging Face
  repository, else its homepage, else its repository).
"""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.fields import TextField
from django.db.models.functions import Cast
from django.urls import reverse

from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    ContributionRole,
    Language,
    Modality,
    Organization,
    Source,
    Task,
)
from catalog.search.filters import ArtifactFilterSet
from catalog.search.query import with_result_relations

NAME_SEPARATOR = "--"
HUGGING_FACE = "Hugging Face"
GIT = "Git"
HTML = "HTML"
PDF = "PDF"
# The links an entry may have, in the order its resources list them: (field, name).
LINKS = (
    ("homepage_url", "Homepage"),
    ("paper_url", "Paper"),
    ("repository_url", "Repository"),
)
STATES = {
    ArtifactStatus.PUBLISHED: "active",
    ArtifactStatus.DEPRECATED: "active",
    ArtifactStatus.DRAFT: "draft",
    ArtifactStatus.IN_REVIEW: "draft",
    ArtifactStatus.WITHDRAWN: "deleted",
}


def package_name(artifact: Artifact) -> str:
    return f"{artifact.namespace}{NAME_SEPARATOR}{artifact.slug}"


def find_package(artifacts: QuerySet[Artifact], id_or_name: str) -> Artifact | None:
    """The entry `id_or_name` names (`ns/slug` or `ns--slug`) among `artifacts`, with
    what its package shows, or None."""
    separator = "/" if "/" in id_or_name else NAME_SEPARATOR
    namespace, found, slug = id_or_name.partition(separator)
    if not found or not namespace or not slug:
        return None
    return with_package_relations(artifacts).filter(namespace=namespace, slug=slug).first()


def with_package_relations(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
    """What a package shows, in a fixed number of queries whatever the number of entries."""
    return with_result_relations(artifacts).prefetch_related("sources")


def load_packages(ids: list[int]) -> list[Artifact]:
    """The entries `ids`, in that order, with what their packages show."""
    by_id = with_package_relations(Artifact.objects.filter(pk__in=ids)).in_bulk()
    return [by_id[pk] for pk in ids]


def taxonomy_slugs() -> frozenset[str]:
    """The slugs of every task, modality and language: a free tag spelled like one of
    them is read as that term."""
    terms = (
        Task.objects.order_by()
        .values_list("slug")
        .union(Modality.objects.order_by().values_list("slug"))
        .union(Language.objects.order_by().values_list("slug"))
    )
    return frozenset(slug for (slug,) in terms)


def ckan_timestamp(moment: datetime | None) -> str | None:
    """CKAN's form: UTC without an offset, e.g. 2024-05-13T09:30:00.123456."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat()


def organization_dict(organization: Organization, *, package_count: int | None = None) -> dict:
    data = {
        "id": organization.slug,
        "name": organization.slug,
        "title": organization.name,
        "display_name": organization.name,
        "description": organization.description,
        "image_url": "",
        "created": ckan_timestamp(organization.created_at),
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        data["package_count"] = package_count
    return data


# -- resources and their formats ---------------------------------------------------


def web_format(url: str) -> str:
    return PDF if url.lower().endswith(".pdf") else HTML


def resources(artifact: Artifact) -> list[dict]:
    """(name, url, format, resource type, description) of each resource, in order."""
    found = [
        (name, url, web_format(url) if field != "repository_url" else GIT, "link", "")
        for field, name in LINKS
        if (url := getattr(artifact, field))
    ]
    if artifact.huggingface_repo_id:
        found.append(
            ("Hugging Face repository", artifact.huggingface_url, HUGGING_FACE, "link", "")
        )
    if artifact.kind == ArtifactKind.DATASET:
        where = artifact.huggingface_url or artifact.homepage_url or artifact.repository_url
        for data_format in artifact.formats:
            found.append(
                (
                    f"Data ({data_format.upper()})",
                    where,
                    data_format.upper(),
                    "data",
                    f"The dataset is published in {data_format}; the link leads to it.",
                )
            )
    for number, source in enumerate(artifact.sources.all(), start=1):
        found.append(
            (
                f"Source {number}",
                source.url,
                web_format(source.url),
                "documentation",
                "Backs the entry's facts.",
            )
        )
    return found


def format_condition(value: str) -> Q:
    """Entries with a resource of format `value` (any case): the same rules as
    `resources`, in SQL."""
    wanted = value.strip().lower()
    pdf_ending = {"url__iendswith": ".pdf"}
    conditions = Q(pk__in=[])
    if wanted in {HTML.lower(), PDF.lower()}:
        is_pdf = wanted == PDF.lower()
        for field, _ in LINKS:
            if field == "repository_url":
                continue
            ends_in_pdf = Q(**{f"{field}__iendswith": ".pdf"})
            conditions |= ~Q(**{field: ""}) & (ends_in_pdf if is_pdf else ~ends_in_pdf)
        sources = Source.objects.filter(Q(**pdf_ending) if is_pdf else ~Q(**pdf_ending))
        conditions |= Q(pk__in=sources.values("artifact_id"))
    if wanted == GIT.lower():
        conditions |= ~Q(repository_url="")
    if wanted == HUGGING_FACE.lower():
        conditions |= ~Q(huggingface_repo_id="")
    # Data formats are a JSON list of strings; '"parquet"' finds the whole element.
    datasets = Artifact.objects.filter(kind=ArtifactKind.DATASET).annotate(
        formats_text=Cast("formats", TextField())
    )
    quoted = '"' + wanted.replace("\\", "\\\\").replace('"', '\\"') + '"'
    conditions |= Q(pk__in=datasets.filter(formats_text__icontains=quoted).values("pk"))
    return conditions


class FormatsField(forms.Field):
    """Every value of a repeated parameter, as the catalog's filters read them."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[str]:
        return [str(v).strip() for v in value or [] if str(v).strip()]


class FormatsFilter(django_filters.Filter):
    field_class = FormatsField


class CkanFilterSet(ArtifactFilterSet):
    """The catalog's filters plus CKAN's `res_format` (values OR'ed, as every filter)."""

    res_format = FormatsFilter(
        field_name="res_format", method="filter_res_format", help_text="A resource format."
    )

    def filter_res_format(self, queryset, name, value):
        wanted = Q(pk__in=[])
        for format_ in value:
            wanted |= format_condition(format_)
        return queryset.filter(wanted)


# -- packages ------------------------------------------------------------------------


def package_dict(artifact: Artifact, request, taxonomy: frozenset[str]) -> dict:
    """The CKAN package of `artifact`, loaded with `with_package_relations`."""
    name = package_name(artifact)
    contributions = list(artifact.contributions.all())
    lead = next((c.organization for c in contributions if c.role == ContributionRole.LEAD), None)
    licenses = list(artifact.licenses.all())
    single = licenses[0] if len(licenses) == 1 else None
    tags = [
        *({"name": t.slug, "display_name": t.name} for t in artifact.tasks.all()),
        *({"name": m.slug, "display_name": m.name} for m in artifact.modalities.all()),
        *({"name": lang.slug, "display_name": lang.name} for lang in artifact.languages.all()),
        *(
            {"name": tag.slug, "display_name": tag.slug}
            for tag in artifact.tags.all()
            if tag.slug not in taxonomy
        ),
    ]
    for tag in tags:
        tag.update(id=tag["name"], state="active", vocabulary_id=None)
    package_resources = [
        {
            "id": f"{name}{NAME_SEPARATOR}{position}",
            "package_id": artifact.repo_id,
            "position": position,
            "name": resource_name,
            "description": description,
            "url": url,
            "format": format_,
            "resource_type": resource_type,
            "state": "active",
        }
        for position, (resource_name, url, format_, resource_type, description) in enumerate(
            resources(artifact)
        )
    ]
    extras = {
        "summary": artifact.summary,
        "status": artifact.status,
        "release_date": artifact.released_display,
        "contributors": ", ".join(
            c.organization.slug for c in contributions if c.role != ContributionRole.LEAD
        ),
        "huggingface_repo_id": artifact.huggingface_repo_id,
        "parameters": ", ".join(v.name for v in artifact.variants.all()),
        "architecture": artifact.architecture,
        "openness_class": artifact.openness_class,
        "catalog_url": request.build_absolute_uri(artifact.get_absolute_url()),
        "api_url": request.build_absolute_uri(
            reverse(
                "api:artifact-detail",
                kwargs={"namespace": artifact.namespace, "slug": artifact.slug},
            )
        ),
    }
    return {
        "id": artifact.repo_id,
        "name": name,
        "title": artifact.name,
        "type": artifact.kind,
        "state": STATES[ArtifactStatus(artifact.status)],
        "private": False,
        "notes": artifact.description or artifact.summary,
        "url": artifact.homepage_url,
        "version": artifact.version,
        "author": lead.name if lead else "",
        "license_id": artifact.license_expression,
        "license_title": single.name if single else artifact.license_expression,
        "license_url": single.url if single else "",
        "metadata_created": ckan_timestamp(artifact.created_at),
        "metadata_modified": ckan_timestamp(artifact.updated_at),
        "owner_org": lead.slug if lead else None,
        "organization": organization_dict(lead) if lead else None,
        "tags": tags,
        "num_tags": len(tags),
        "resources": package_resources,
        "num_resources": len(package_resources),
        "groups": [],
        "extras": [{"key": key, "value": value} for key, value in extras.items() if value],
    }


def package_dicts(ids: list[int], request) -> list[dict]:
    """The packages of the entries `ids`, in that order."""
    if not ids:
        return []
    taxonomy = taxonomy_slugs()
    return [package_dict(artifact, request, taxonomy) for artifact in load_packages(ids)]
