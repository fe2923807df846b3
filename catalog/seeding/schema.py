"""The seed record schema, declared once; seeds/README.md explains each field in words.

`check(schema, record, kind)` holds a record to it before anything is written: every
key known (at every level), every value of its shape, required text present, a kind's
own block only on records of that kind. Each field names the model fields it fills, so a
model's validation error is reported under the name the seed file uses (`seed_name`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from catalog.models import ArtifactKind
from catalog.seeding.report import RecordError

# Shape -> (the Python types YAML gives for it, what to say when a value is not one).
SHAPES = {
    # YAML reads 3.10 as a number, 2024-05-01 as a date, a bare NO (Norway) as false.
    "text": ((str,), "must be text: quote it"),
    "list": ((list,), "must be a list"),
    "mapping": ((dict,), "must be a mapping"),
    "date": ((str, int, datetime.date), "give YYYY, YYYY-MM or YYYY-MM-DD"),
    "yes/no": ((bool,), "must be true or false"),
    "number": ((int, float), "must be a number"),
    "count": ((int,), "must be a whole number"),
    "claim": ((str, int, float, datetime.date), "give the claimed value as text"),
}


@dataclass(frozen=True)
class Field:
    """One field of a record: its name in the seed file, its shape, and what it fills.

    `fields` are the keys of a mapping, or of each item of a list of mappings (None:
    any keys); `each` is the shape of each value of a list or of a free mapping.
    """

    name: str
    shape: str = "text"
    required: bool = False
    columns: tuple[str, ...] = ()
    fields: tuple[Field, ...] | None = None
    each: str = ""
    only_for: str = ""  # the kind of artifact whose own block this is


def _text_list(name: str, columns: tuple[str, ...] = ()) -> Field:
    return Field(name, "list", columns=columns, each="text")


ORGANIZATION = (
    Field("slug", required=True),
    Field("name", required=True),
    Field("full_name"),
    Field("kind"),
    Field("country"),
    Field("website"),
    Field("founding_member", "yes/no"),
    Field("description"),
    _text_list("sources"),
    Field("unverified", "mapping", each="claim"),
)

LINKS = (
    Field("homepage", columns=("homepage_url",)),
    Field("repository", columns=("repository_url",)),
    Field("huggingface", columns=("huggingface_repo_id",)),
    Field("paper", columns=("paper_url",)),
)

ARTIFACT = (
    Field("id", required=True),
    Field("kind"),
    Field("name", required=True),
    Field("summary", required=True),
    Field("description"),
    _text_list("contributors"),
    Field("released", "date", columns=("released_on", "release_precision")),
    Field("version"),
    Field("license", columns=("license_expression",)),
    Field("license_note"),
    Field("links", "mapping", fields=LINKS),
    _text_list("tasks"),
    _text_list("modalities"),
    _text_list("languages"),
    _text_list("tags"),
    Field(
        "model",
        "mapping",
        only_for=ArtifactKind.MODEL,
        fields=(
            Field("architecture", columns=("architecture",)),
            Field(
                "variants",
                "list",
                fields=(
                    Field("name", required=True),
                    Field("parameters", "count", required=True),
                    Field("active_parameters", "count"),
                ),
            ),
        ),
    ),
    Field(
        "dataset",
        "mapping",
        only_for=ArtifactKind.DATASET,
        fields=(
            Field(
                "size",
                "mapping",
                columns=("size_value", "size_unit"),
                fields=(Field("value", "number", required=True), Field("unit", required=True)),
            ),
            _text_list("formats", columns=("formats",)),
        ),
    ),
    Field(
        "tool",
        "mapping",
        only_for=ArtifactKind.TOOL,
        fields=(
            Field("category", columns=("tool_category",)),
            _text_list("programming_languages", columns=("programming_languages",)),
        ),
    ),
    Field(
        "lineage",
        "list",
        fields=(
            Field("type", required=True),
            Field("target"),
            Field("external", "mapping", fields=(Field("name"), Field("kind"), Field("url"))),
            Field("note"),
        ),
    ),
    Field(
        "openness",
        "list",
        fields=(
            Field("component", required=True),
            Field("included", "yes/no"),
            Field("license"),
            Field("unlicensed", "yes/no"),
            Field("location"),
        ),
    ),
    _text_list("sources"),
    Field("evidence", "mapping", each="text"),
    Field("unverified", "mapping", each="claim"),
    Field("notes"),
)

# What `evidence` may name: a field of the record, one of its links, or its parameters.
EVIDENCE_NAMES = {f.name for f in ARTIFACT} | {f.name for f in LINKS} | {"parameters"}


def _is(shape: str, value: object) -> bool:
    types, _ = SHAPES[shape]
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def check(schema: tuple[Field, ...], record: object, kind: str = "", path: str = "") -> None:
    """Raise RecordError for the first thing in `record` that does not fit `schema`."""
    if not isinstance(record, dict):
        raise RecordError(path or "-", "a record is a mapping of fields")
    known = {f.name for f in schema}
    for key in record:
        if key not in known:
            raise RecordError(f"{path}{key}", "unknown field")
    for spec in schema:
        _check_value(spec, record.get(spec.name), kind, f"{path}{spec.name}")


def _check_value(spec: Field, value: object, kind: str, path: str) -> None:
    if spec.required and spec.shape == "text" and not (isinstance(value, str) and value.strip()):
        raise RecordError(path, "is required text")
    if value is None:
        if spec.required:
            raise RecordError(path, f"is required ({SHAPES[spec.shape][1]})")
        return
    if not _is(spec.shape, value):
        raise RecordError(path, SHAPES[spec.shape][1])
    if spec.only_for and kind != spec.only_for:
        raise RecordError(path, f"only a {spec.only_for} has a '{spec.name}' block")
    if spec.shape == "mapping" and spec.fields is not None:
        check(spec.fields, value, kind, f"{path}.")
    elif spec.shape == "mapping" and spec.each:
        for key, item in value.items():
            if not _is(spec.each, item):
                raise RecordError(f"{path}.{key}", SHAPES[spec.each][1])
    elif spec.shape == "list" and spec.fields is not None:
        for index, item in enumerate(value):
            check(spec.fields, item, kind, f"{path}[{index}].")
    elif spec.shape == "list" and spec.each:
        for index, item in enumerate(value):
            if not _is(spec.each, item):
                raise RecordError(f"{path}[{index}]", SHAPES[spec.each][1])


def _seed_names(schema: tuple[Field, ...], path: str = "") -> dict[str, str]:
    names = {}
    for spec in schema:
        names.update(dict.fromkeys(spec.columns, f"{path}{spec.name}"))
        if spec.shape == "mapping" and spec.fields:
            names.update(_seed_names(spec.fields, f"{path}{spec.name}."))
    return names


SEED_NAMES = _seed_names(ARTIFACT)


def seed_name(column: str) -> str:
    """The seed file's name for the model field `column` (for error messages)."""
    return SEED_NAMES.get(column, column)
