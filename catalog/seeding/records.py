"""A checked seed record -> the values its rows should hold. Pure: nothing here reads or
writes the database; what is wrong raises RecordError under the seed file's field name.

Each function takes a record that `schema.check` accepted, so shapes are known here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from catalog.licenses import normalized_expression
from catalog.models import Component, DatePrecision
from catalog.seeding.report import RecordError
from catalog.seeding.schema import EVIDENCE_NAMES, LINKS

RELEASE_FORMATS = (
    ("%Y-%m-%d", DatePrecision.DAY),
    ("%Y-%m", DatePrecision.MONTH),
    ("%Y", DatePrecision.YEAR),
)


def release(value: object) -> tuple[datetime.date | None, str]:
    """`released` as (date, precision); YAML gives a full date as a date."""
    if value in (None, ""):
        return None, ""
    text = str(value)
    for pattern, precision in RELEASE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date(), precision  # noqa: DTZ007
        except ValueError:
            continue
    raise RecordError("released", f"'{text}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD.")


def license_expression(text: str | None, field: str = "license") -> str:
    """The expression as the catalog stores it ("" for none)."""
    try:
        return normalized_expression(text or "")
    except ValidationError as error:
        raise RecordError(field, "; ".join(error.messages)) from None


def organization_values(record: dict) -> dict:
    return {
        "name": record["name"],
        "full_name": record.get("full_name") or "",
        "kind": (record.get("kind") or "").replace(" ", "_").replace("-", "_"),
        "country": record.get("country") or "",
        "website": record.get("website") or "",
        "founding_member": bool(record.get("founding_member")),
        "description": record.get("description") or "",
        "sources": list(record.get("sources") or []),
        "unverified": dict(record.get("unverified") or {}),
    }


def artifact_key(record: dict) -> tuple[str, str]:
    """(namespace, slug): the lead organization's slug and the entry's own."""
    namespace, _, slug = str(record["id"]).partition("/")
    return namespace, slug


def artifact_values(record: dict, kind: str) -> dict:
    """The Artifact's own fields (not its status, which the loader decides)."""
    if record.get("kind", kind) != kind:
        raise RecordError("kind", f"'{record.get('kind')}' is not a {kind}")
    check_evidence(record)
    released_on, precision = release(record.get("released"))
    links = record.get("links") or {}
    model = record.get("model") or {}
    dataset = record.get("dataset") or {}
    tool = record.get("tool") or {}
    size = dataset.get("size") or {}
    return {
        "kind": kind,
        "name": record["name"],
        "summary": record["summary"],
        "description": (record.get("description") or "").strip(),
        "released_on": released_on,
        "release_precision": precision,
        "version": record.get("version") or "",
        "license_expression": license_expression(record.get("license")),
        "license_note": record.get("license_note") or "",
        "architecture": model.get("architecture") or "",
        "size_value": _hundredths(size["value"]) if size else None,
        "size_unit": size.get("unit") or "",
        "formats": list(dataset.get("formats") or []),
        "tool_category": tool.get("category") or "",
        "programming_languages": list(tool.get("programming_languages") or []),
        "unverified": dict(record.get("unverified") or {}),
        "notes": record.get("notes") or "",
        **{link.columns[0]: links.get(link.name) or "" for link in LINKS},
    }


def check_evidence(record: dict) -> None:
    """Each piece of evidence names a field of the record, cites one of its sources, and
    is not also claimed as unverified."""
    sources = record.get("sources") or []
    unverified = record.get("unverified") or {}
    for name, url in (record.get("evidence") or {}).items():
        if name.split(".")[0] not in EVIDENCE_NAMES:
            raise RecordError(f"evidence.{name}", "names no field of the record")
        if url not in sources:
            raise RecordError(f"evidence.{name}", f"'{url}' is not among the record's sources")
        if name in unverified:
            raise RecordError(f"evidence.{name}", "a confirmed field cannot also be unverified")


def contributor_slugs(record: dict) -> list[str]:
    """The organizations contributing, lead (the id's namespace) first, each once."""
    slugs = [artifact_key(record)[0]]
    for slug in record.get("contributors") or []:
        if slug in slugs:
            raise RecordError("contributors", f"'{slug}' is listed twice")
        slugs.append(slug)
    return slugs


def variant_rows(record: dict) -> dict[str, dict]:
    variants = (record.get("model") or {}).get("variants") or []
    return {
        v["name"]: {
            "name": v["name"],
            "parameters": v["parameters"],
            "active_parameters": v.get("active_parameters"),
        }
        for v in variants
    }


def source_rows(record: dict) -> dict[str, dict]:
    return {
        url: {"url": url, "position": position}
        for position, url in enumerate(record.get("sources") or [])
    }


def lineage_edges(record: dict) -> list[tuple[str, dict]]:
    """(field name, edge) for each lineage edge: a target id or an external work."""
    edges = []
    for index, edge in enumerate(record.get("lineage") or []):
        field = f"lineage[{index}]"
        if not edge.get("target") and not (edge.get("external") or {}).get("name"):
            raise RecordError(field, "give a target id or an external work")
        edges.append((field, edge))
    return edges


def openness_rows(record: dict) -> dict[str, dict]:
    components = {}
    for index, entry in enumerate(record.get("openness") or []):
        field = f"openness[{index}]"
        if entry["component"] not in Component.values:
            raise RecordError(f"{field}.component", f"give one of {', '.join(Component.values)}")
        own = license_expression(entry.get("license"), f"{field}.license")
        unlicensed = entry.get("unlicensed", False)
        if unlicensed and own:
            raise RecordError(f"{field}.unlicensed", "a component without a license names none")
        components[entry["component"]] = {
            "component": entry["component"],
            "included": entry.get("included", True),
            "license_expression": own,
            "unlicensed": unlicensed,
            "location": entry.get("location") or "",
        }
    return components


def _hundredths(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
