"""License expressions: parsing, the registry of known licenses, and plain-words flags.

Keys come from two places: the ScanCode LicenseDB index shipped with the
`license-expression` package (2,500+ licenses, each with a category), and
`fixtures/licenses.yaml`, which adds the licenses the index lacks (a model's own
community license) and the plain-words flags a researcher asks about.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from boolean.boolean import ParseError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from license_expression import (
    AND,
    OR,
    ExpressionError,
    LicenseWithExceptionSymbol,
    build_spdx_licensing,
    get_license_index,
)

from catalog.models import Artifact, License, LicenseCategory, Relation, RelationType

LICENSES_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "licenses.yaml"
MAX_EXPRESSION_LENGTH = 500
SCANCODE_URL = "https://scancode-licensedb.aboutcode.org/{key}.html"

# What a category says when the fixture has no flags for a license.
CATEGORY_FLAGS: dict[str, dict[str, bool | None]] = {
    LicenseCategory.PERMISSIVE: {
        "commercial_use": True,
        "share_alike": False,
        "attribution": True,
        "use_restrictions": False,
    },
    LicenseCategory.PUBLIC_DOMAIN: {
        "commercial_use": True,
        "share_alike": False,
        "attribution": False,
        "use_restrictions": False,
    },
    LicenseCategory.COPYLEFT: {
        "commercial_use": True,
        "share_alike": True,
        "attribution": True,
        "use_restrictions": False,
    },
    LicenseCategory.COPYLEFT_LIMITED: {
        "commercial_use": True,
        "share_alike": True,
        "attribution": True,
        "use_restrictions": False,
    },
}
UNKNOWN_FLAGS = dict.fromkeys(("commercial_use", "share_alike", "attribution", "use_restrictions"))


class LicenseExpressionError(ValidationError):
    """An expression that does not parse, or names keys nobody knows."""

    def __init__(self, message: str, unknown_keys: Iterable[str] = ()):
        super().__init__(message, code="invalid_license")
        self.unknown_keys = list(unknown_keys)


@dataclass(frozen=True)
class ParsedExpression:
    normalized: str
    keys: tuple[str, ...]  # license and exception keys, in order of appearance
    tree: object  # the license_expression tree, for `is_open`


@functools.cache
def registry_index() -> dict[str, dict]:
    """The ScanCode index by primary key (SPDX id, or LicenseRef-scancode-<key>)."""
    index = {}
    for entry in get_license_index():
        key = entry.get("spdx_license_key") or f"LicenseRef-scancode-{entry['license_key']}"
        index[key] = entry
    return index


@functools.cache
def fixture_licenses() -> dict[str, dict]:
    """The catalog's own license entries, by key."""
    with LICENSES_FIXTURE.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    return {entry["key"]: entry for entry in entries}


@functools.cache
def licensing():
    """A Licensing that knows every registry key and the fixture's LicenseRef keys."""
    extra = [
        {"spdx_license_key": key, "other_spdx_license_keys": [], "is_exception": False}
        for key in fixture_licenses()
        if key not in registry_index()
    ]
    return build_spdx_licensing([*get_license_index(), *extra])


def parse_expression(text: str) -> ParsedExpression:
    """Parse and normalize an SPDX expression; raise LicenseExpressionError naming the problem."""
    text = (text or "").strip()
    if not text:
        raise LicenseExpressionError("Enter a license expression, e.g. 'Apache-2.0'.")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise LicenseExpressionError(
            f"A license expression has at most {MAX_EXPRESSION_LENGTH} characters."
        )
    try:
        tree = licensing().parse(text, strict=True)
    except (ExpressionError, ParseError) as error:
        raise LicenseExpressionError(
            f"'{text}' is not a valid license expression: {error}."
        ) from None
    if tree is None:
        raise LicenseExpressionError("Enter a license expression, e.g. 'Apache-2.0'.")
    unknown = licensing().unknown_license_keys(tree)
    if unknown:
        names = ", ".join(unknown)
        raise LicenseExpressionError(
            f"Unknown license key(s): {names}. Use an SPDX identifier (Apache-2.0), a "
            "LicenseRef-scancode-… key of the ScanCode LicenseDB, or a LicenseRef-alliance-… "
            "key defined in fixtures/licenses.yaml.",
            unknown_keys=unknown,
        )
    keys = tuple(dict.fromkeys(licensing().license_keys(tree)))
    return ParsedExpression(normalized=str(tree), keys=keys, tree=tree)


def license_defaults(key: str) -> dict:
    """The fields of the License row for `key`, from the fixture or the registry."""
    fixture = fixture_licenses().get(key)
    registry = registry_index().get(key)
    if fixture is None and registry is None:
        raise LicenseExpressionError(f"Unknown license key(s): {key}.", unknown_keys=[key])
    if registry is not None:
        category = registry["category"]
        url = SCANCODE_URL.format(key=registry["license_key"])
        if not key.startswith("LicenseRef-"):
            url = f"https://spdx.org/licenses/{key}.html"
    else:
        category = fixture["category"]
        url = ""
    fields = {
        "name": key,
        "url": url,
        "category": category,
        "in_registry": registry is not None,
        **CATEGORY_FLAGS.get(category, UNKNOWN_FLAGS),
    }
    if fixture is not None:
        if registry is not None and fixture.get("category") not in (None, category):
            raise ValidationError(
                f"fixtures/licenses.yaml gives {key} the category {fixture['category']!r}, "
                f"but the ScanCode index says {category!r}."
            )
        for field in ("name", "url", *UNKNOWN_FLAGS):
            if fixture.get(field) is not None:
                fields[field] = fixture[field]
    return fields


def get_or_create_licenses(keys: Iterable[str]) -> list[License]:
    """The License rows for `keys`, creating any that are not in the database yet."""
    keys = list(dict.fromkeys(keys))
    found = {license.key: license for license in License.objects.filter(key__in=keys)}
    for key in keys:
        if key not in found:
            found[key] = License.objects.create(key=key, **license_defaults(key))
    return [found[key] for key in keys]


def sync_fixture_licenses() -> tuple[int, int]:
    """Create or update a License row for every fixture entry; return (created, updated)."""
    created = updated = 0
    for key in fixture_licenses():
        fields = license_defaults(key)
        license, was_created = License.objects.get_or_create(key=key, defaults=fields)
        if was_created:
            created += 1
            continue
        changed = {f: v for f, v in fields.items() if getattr(license, f) != v}
        if changed:
            for field, value in changed.items():
                setattr(license, field, value)
            license.save()
            updated += 1
    return created, updated


def normalized_expression(text: str) -> str:
    """The expression as the catalog stores it, "" for none; raise LicenseExpressionError.

    The one normalisation every write path uses: the admin's and the API's form, seeds,
    openness components and `set_artifact_license`.
    """
    if not (text or "").strip():
        return ""
    return parse_expression(text).normalized


def link_licenses(artifact: Artifact) -> bool:
    """Link `artifact` to the licenses its stored expression names; say if that changed.

    Only a real change writes: each m2m write is a version in the entry's history.
    """
    expression = artifact.license_expression
    keys = parse_expression(expression).keys if expression else ()
    if set(keys) == set(artifact.licenses.values_list("key", flat=True)):
        return False
    artifact.licenses.set(get_or_create_licenses(keys))
    return True


@transaction.atomic
def set_artifact_license(artifact: Artifact, expression: str) -> None:
    """Give `artifact` the license `expression` (or none, when empty) and link its parts."""
    artifact.license_expression = normalized_expression(expression)
    artifact.save(update_fields=["license_expression", "updated_at"])
    link_licenses(artifact)


def is_open_expression(expression: str, categories: dict[str, str] | None = None) -> bool:
    """Whether the expression grants an open license: every AND part open, some OR part open.

    `categories` maps keys to categories; by default they come from the fixture and
    the registry, without touching the database.
    """
    if not (expression or "").strip():
        return False
    try:
        parsed = parse_expression(expression)
    except LicenseExpressionError:
        return False

    def category(key: str) -> str:
        if categories is not None and key in categories:
            return categories[key]
        return license_defaults(key)["category"]

    def walk(node) -> bool:
        if isinstance(node, AND):
            return all(walk(arg) for arg in node.args)
        if isinstance(node, OR):
            return any(walk(arg) for arg in node.args)
        if isinstance(node, LicenseWithExceptionSymbol):
            return walk(node.license_symbol)
        return LicenseCategory(category(node.key)).is_open

    return walk(parsed.tree)


# ------------------------------------------------------------------------------
# Warnings, not blocks: a derived entry that claims more freedom than what it came
# from. A model fine-tuned from Llama 2 inherits its use restrictions; one that says
# 'Apache-2.0' may be right (the makers may have permission) but is worth a second look.
# ------------------------------------------------------------------------------

# Edges along which a license's terms usually travel to the derived work.
DERIVING_RELATIONS = (
    RelationType.FINE_TUNED_FROM,
    RelationType.QUANTIZED_FROM,
    RelationType.MERGED_FROM,
    RelationType.ADAPTER_OF,
    RelationType.DISTILLED_FROM,
    RelationType.DERIVED_FROM,
)

# (flag, value that binds, how a person says it)
TERMS = (
    ("use_restrictions", True, "restricts some uses"),
    ("share_alike", True, "requires derived works to keep its license"),
    ("commercial_use", False, "forbids commercial use"),
)


def _binding(licenses: list[License], flag: str, value: bool) -> list[License]:
    return [license for license in licenses if getattr(license, flag) is value]


def derived_license_warnings(artifact: Artifact) -> list[str]:
    """Sentences for each parent whose terms the entry's license seems to drop."""
    own = list(artifact.licenses.all())
    if not own:
        return []
    relations = (
        Relation.objects.filter(
            source=artifact, relation_type__in=DERIVING_RELATIONS, target__isnull=False
        )
        .select_related("target")
        .prefetch_related("target__licenses")
    )
    warnings = []
    for relation in relations:
        parent = relation.target
        parent_licenses = list(parent.licenses.all())
        for flag, value, words in TERMS:
            binding = _binding(parent_licenses, flag, value)
            if binding and not _binding(own, flag, value):
                keys = ", ".join(license.key for license in binding)
                warnings.append(
                    f"{artifact} is {relation.get_relation_type_display()} {parent}, whose "
                    f"license ({keys}) {words}; {artifact}'s license "
                    f"({artifact.license_expression}) does not. Check that the makers may "
                    "share it under these terms."
                )
    return warnings


def license_reference(artifact: Artifact) -> str:
    """The entry's license as one reference for metadata readers (schema.org, Croissant):
    the license's URL when the expression names one license that has one, otherwise
    the SPDX expression itself; "" when no license is confirmed. Reads the prefetched
    `licenses`."""
    licenses = list(artifact.licenses.all())
    if len(licenses) == 1 and licenses[0].url:
        return licenses[0].url
    return artifact.license_expression
