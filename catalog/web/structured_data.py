"""schema.org JSON-LD for an artifact page, escaped so no value can end the script tag."""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from catalog.licenses import license_reference
from catalog.models import Artifact, ArtifactKind

SCHEMA_TYPES = {
    ArtifactKind.DATASET: "Dataset",
    ArtifactKind.TOOL: "SoftwareApplication",
    ArtifactKind.MODEL: "CreativeWork",  # schema.org has no type for a trained model yet
}
# The same escapes as Django's json_script: '<', '>' and '&' cannot close a script.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def artifact_json_ld(
    artifact: Artifact, *, page_url: str, upstream_urls: list[str], catalog_url: str
) -> dict:
    """The artifact as schema.org data, with only verified facts. A dataset names the
    catalog that holds it (`includedInDataCatalog`), as Google Dataset Search reads it;
    `catalog_url` is the site's home page."""
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[artifact.kind],
        "@id": page_url,
        "url": page_url,
        "identifier": artifact.repo_id,
        "name": artifact.name,
        "description": artifact.summary,
        "dateModified": artifact.updated_at.isoformat(),
    }
    if artifact.kind == ArtifactKind.DATASET:
        data["includedInDataCatalog"] = {
            "@type": "DataCatalog",
            "name": settings.CATALOG_NAME,
            "url": catalog_url,
        }
    if artifact.kind == ArtifactKind.MODEL:
        data["additionalType"] = "https://en.wikipedia.org/wiki/Machine_learning_model"
    if artifact.released_on:
        data["datePublished"] = artifact.released_display
    if artifact.version:
        data["version"] = artifact.version
    if license := license_reference(artifact):
        data["license"] = license
    if creators := creators_of(artifact):
        data["creator"] = creators
    same_as = [url for url in (artifact.repository_url, artifact.huggingface_url) if url]
    if same_as:
        data["sameAs"] = same_as
    if artifact.paper_url:
        data["citation"] = artifact.paper_url
    if upstream_urls:
        data["isBasedOn"] = upstream_urls
    keywords = [term.name for term in (*artifact.tasks.all(), *artifact.modalities.all())]
    if keywords:
        data["keywords"] = keywords
    if artifact.kind == ArtifactKind.TOOL and artifact.tool_category:
        data["applicationCategory"] = artifact.get_tool_category_display()
    languages = [language.slug for language in artifact.languages.all()]
    if languages:
        data["inLanguage"] = languages
    return data


def json_ld_script(data: dict) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


def creators_of(artifact: Artifact, organization_type: str = "Organization") -> list[dict]:
    """The entry's organizations as schema.org creators, the lead first; Croissant names
    the type with its `sc:` prefix."""
    creators = []
    for contribution in artifact.contributions_lead_first():
        organization = contribution.organization
        entry = {"@type": organization_type, "name": organization.name}
        if organization.website:
            entry["url"] = organization.website
        creators.append(entry)
    return creators
