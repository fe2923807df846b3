#!/usr/bin/env python
"""Check the catalog's seed data for consistency, without Django.

Loads seeds/organizations.yaml, seeds/{models,datasets,tools}.yaml, fixtures/taxonomy.yaml
and fixtures/licenses.yaml and checks that they agree with each other and with the rules in
seeds/README.md. Uses only the standard library, PyYAML and license-expression.

    python seeds/check_seeds.py [--facts PATH/TO/alliance_facts.yaml]

With --facts (or when the facts file is found next to the repository, at
../shared/data/alliance_facts.yaml), it also checks that every organization and
contribution of the facts appears once, in its kind's file, with the facts' organizations.

Exits 0 when everything passes, 1 (listing every problem) otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml
from license_expression import build_spdx_licensing, get_license_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures"
DEFAULT_FACTS = [
    ROOT.parent / "shared" / "data" / "alliance_facts.yaml",
    Path("/work/shared/data/alliance_facts.yaml"),
]

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_PART_RE = re.compile(r"^[A-Za-z0-9._-]{1,96}$")
HF_RE = re.compile(r"^[A-Za-z0-9._-]{1,96}/[A-Za-z0-9._-]{1,96}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
RELEASED_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
URL_RE = re.compile(r"^https?://[^\s]+$")

ORG_KINDS = {
    "company",
    "university",
    "research institute",
    "government agency",
    "non-profit",
    "foundation",
}
ORG_KEYS = [
    "slug",
    "name",
    "full_name",
    "kind",
    "country",
    "website",
    "founding_member",
    "description",
    "sources",
    "unverified",
]
ARTIFACT_KEYS = {
    "id",
    "name",
    "summary",
    "description",
    "contributors",
    "released",
    "version",
    "license",
    "license_note",
    "links",
    "tasks",
    "modalities",
    "languages",
    "tags",
    "lineage",
    "openness",
    "sources",
    "unverified",
    "notes",
}
KIND_FILES = {"model": "models.yaml", "dataset": "datasets.yaml", "tool": "tools.yaml"}
KIND_BLOCKS = {"model", "dataset", "tool"}
LINK_KEYS = {"homepage", "repository", "huggingface", "paper"}
SIZE_UNITS = {"bytes", "records", "tokens", "images", "hours"}
TOOL_CATEGORIES = {
    "library",
    "framework",
    "benchmark",
    "application",
    "platform",
    "specification",
    "service",
}
LICENSE_CATEGORIES = {
    "Permissive",
    "Copyleft",
    "Copyleft Limited",
    "Proprietary Free",
    "Free Restricted",
    "Source-available",
    "Public Domain",
    "Commercial",
    "Unstated License",
    "Patent License",
    "CLA",
}
LICENSE_FLAGS = ("commercial_use", "share_alike", "attribution", "use_restrictions")
OPENNESS_COMPONENTS = {
    "model_architecture",
    "final_parameters",
    "model_card",
    "data_card",
    "technical_report",
    "evaluation_results",
    "training_code",
    "inference_code",
    "evaluation_code",
    "evaluation_data",
    "datasets",
    "data_preprocessing_code",
    "intermediate_parameters",
    "research_paper",
}
# Relation type -> (kinds it may start from, kinds it may point to).
_ALL = {"model", "dataset", "tool"}
RELATIONS = {
    "fine_tuned_from": ({"model"}, {"model"}),
    "quantized_from": ({"model"}, {"model"}),
    "merged_from": ({"model"}, {"model"}),
    "adapter_of": ({"model"}, {"model"}),
    "distilled_from": ({"model"}, {"model"}),
    "trained_on": ({"model"}, {"dataset"}),
    "evaluated_on": ({"model", "tool"}, {"dataset"}),
    "derived_from": (_ALL, _ALL),
    "uses": (_ALL, _ALL),
}


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def expect(self, condition: bool, where: str, message: str) -> bool:
        if not condition:
            self.error(where, message)
        return condition


def load(path: Path):
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def walk_strings(value, path=""):
    """Yield (path, string) for every string inside `value`."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")


def check_published_strings(c: Checker, where: str, record: dict) -> None:
    """No published string may end with '?'; unverified claims are stored without it."""
    for key, value in record.items():
        for path, text in walk_strings(value, key):
            if text.rstrip().endswith("?"):
                if key == "unverified":
                    c.error(where, f"{path}: store the claim without its trailing '?'")
                else:
                    c.error(where, f"{path} ends with '?' (unconfirmed values go in 'unverified')")


def check_unverified(c: Checker, where: str, unverified, published: dict) -> None:
    if not c.expect(isinstance(unverified, dict), where, "'unverified' must be a mapping"):
        return
    for field, claim in unverified.items():
        c.expect(
            isinstance(claim, str) and claim.strip() != "",
            where,
            f"unverified.{field} must be a non-empty string",
        )
        if field not in published or published[field] in (None, [], {}):
            continue
        if field == "released":
            # A confirmed year may be published while the month stays unverified.
            c.expect(
                str(claim).startswith(str(published[field])) and len(str(published[field])) == 4,
                where,
                "unverified.released is set but a full date is published",
            )
        elif field == "license":
            # Only the confirmed part of a partly unconfirmed license may be published.
            c.expect(
                bool(published.get("license_note")),
                where,
                "unverified.license with a published license needs a license_note",
            )
        else:
            c.error(where, f"unverified.{field} is set but the published field is not empty")


def check_organizations(c: Checker, orgs) -> dict[str, dict]:
    by_slug: dict[str, dict] = {}
    if not c.expect(isinstance(orgs, list), "organizations.yaml", "must be a list"):
        return by_slug
    c.expect(len(orgs) == 60, "organizations.yaml", f"expected 60 organizations, found {len(orgs)}")
    for index, org in enumerate(orgs):
        where = f"organizations.yaml[{index}] {org.get('slug')!r}"
        c.expect(list(org) == ORG_KEYS, where, f"keys must be {ORG_KEYS}, found {list(org)}")
        slug = org.get("slug")
        if c.expect(
            isinstance(slug, str) and bool(SLUG_RE.match(slug)) and len(slug) <= 50,
            where,
            "slug must match ^[a-z0-9]+(-[a-z0-9]+)*$ and be <= 50 characters",
        ):
            c.expect(slug not in by_slug, where, "duplicate slug")
            by_slug[slug] = org
        c.expect(
            isinstance(org.get("name"), str) and org["name"].strip() != "", where, "name required"
        )
        c.expect(
            org.get("kind") is None or org["kind"] in ORG_KINDS,
            where,
            f"kind must be one of {sorted(ORG_KINDS)} or null",
        )
        c.expect(
            org.get("website") is None or str(org["website"]).startswith("https://"),
            where,
            "website must be an https:// URL or null",
        )
        c.expect(
            isinstance(org.get("founding_member"), bool), where, "founding_member must be a boolean"
        )
        sources = org.get("sources")
        c.expect(
            isinstance(sources, list)
            and len(sources) > 0
            and all(isinstance(s, str) and URL_RE.match(s) for s in sources),
            where,
            "sources must be a non-empty list of URLs",
        )
        check_unverified(c, where, org.get("unverified"), org)
        check_published_strings(c, where, org)
    return by_slug


def check_taxonomy(c: Checker, taxonomy) -> tuple[set[str], set[str], set[str]]:
    tasks, modalities, languages = set(), set(), set()
    for section, store, key, pattern in (
        ("tasks", tasks, "slug", SLUG_RE),
        ("modalities", modalities, "slug", SLUG_RE),
        ("languages", languages, "code", LANG_RE),
    ):
        entries = taxonomy.get(section) or []
        for index, entry in enumerate(entries):
            where = f"taxonomy.yaml {section}[{index}]"
            value = entry.get(key)
            if c.expect(
                isinstance(value, str) and bool(pattern.match(value)), where, f"bad {key} {value!r}"
            ):
                c.expect(value not in store, where, f"duplicate {key} {value!r}")
                store.add(value)
            c.expect(
                isinstance(entry.get("name"), str) and entry["name"] != "", where, "name required"
            )
    return tasks, modalities, languages


def registry_index() -> dict[str, dict]:
    index = {}
    for entry in get_license_index():
        key = entry.get("spdx_license_key") or f"LicenseRef-scancode-{entry['license_key']}"
        index[key] = entry
    return index


def check_license_fixture(c: Checker, fixture, registry: dict[str, dict]) -> dict[str, dict]:
    by_key: dict[str, dict] = {}
    for index, entry in enumerate(fixture or []):
        key = entry.get("key")
        where = f"licenses.yaml[{index}] {key!r}"
        if not c.expect(isinstance(key, str) and key != "", where, "key required"):
            continue
        c.expect(key not in by_key, where, "duplicate key")
        by_key[key] = entry
        c.expect(isinstance(entry.get("name"), str) and entry["name"] != "", where, "name required")
        c.expect(
            entry.get("url") is None or bool(URL_RE.match(str(entry["url"]))),
            where,
            "url must be a URL or null",
        )
        c.expect(
            entry.get("category") in LICENSE_CATEGORIES,
            where,
            f"category must be one of {sorted(LICENSE_CATEGORIES)}",
        )
        for flag in LICENSE_FLAGS:
            c.expect(
                flag in entry and entry[flag] in (True, False, None),
                where,
                f"{flag} must be true, false or null",
            )
        in_registry = key in registry
        c.expect(
            entry.get("in_registry") is in_registry,
            where,
            f"in_registry must be {str(in_registry).lower()}",
        )
        if in_registry:
            c.expect(
                entry.get("category") == registry[key]["category"],
                where,
                f"category {entry.get('category')!r} differs from the index's "
                f"{registry[key]['category']!r}",
            )
        else:
            c.expect(
                key.startswith("LicenseRef-alliance-"),
                where,
                "licenses not in the index need a LicenseRef-alliance-<name> key",
            )
    return by_key


def check_artifacts(
    c: Checker,
    files: dict[str, list],
    orgs: dict[str, dict],
    tasks: set[str],
    modalities: set[str],
    languages: set[str],
    licensing,
    license_fixture: dict[str, dict],
) -> dict[str, dict]:
    artifacts: dict[str, dict] = {}
    kinds: dict[str, str] = {}
    total = 0
    for kind, records in files.items():
        fname = KIND_FILES[kind]
        if not c.expect(isinstance(records, list), fname, "must be a list"):
            continue
        total += len(records)
        for index, rec in enumerate(records):
            where = f"{fname}[{index}] {rec.get('id')!r}"
            allowed = ARTIFACT_KEYS | {kind}
            c.expect(set(rec) <= allowed, where, f"unexpected keys {sorted(set(rec) - allowed)}")
            c.expect(
                set(rec) >= ARTIFACT_KEYS, where, f"missing keys {sorted(ARTIFACT_KEYS - set(rec))}"
            )
            for other in KIND_BLOCKS - {kind}:
                c.expect(other not in rec, where, f"a {kind} must not have a '{other}' block")
            c.expect(kind in rec, where, f"a {kind} needs its '{kind}' block")

            # Identity.
            artifact_id = rec.get("id")
            lead = None
            if c.expect(
                isinstance(artifact_id, str) and artifact_id.count("/") == 1,
                where,
                "id must be '<lead-org-slug>/<artifact-slug>'",
            ):
                lead, name = artifact_id.split("/")
                c.expect(
                    lead in orgs, where, f"lead organization {lead!r} is not in organizations.yaml"
                )
                c.expect(
                    bool(ID_PART_RE.match(name))
                    and "--" not in name
                    and ".." not in name
                    and name[0] not in "-."
                    and name[-1] not in "-.",
                    where,
                    f"bad artifact slug {name!r}",
                )
                c.expect(artifact_id not in artifacts, where, "duplicate id")
                artifacts[artifact_id] = rec
                kinds[artifact_id] = kind
            c.expect(isinstance(rec.get("name"), str) and rec["name"] != "", where, "name required")
            summary = rec.get("summary")
            c.expect(
                isinstance(summary, str) and 0 < len(summary) <= 200 and summary.endswith("."),
                where,
                "summary must be one sentence of at most 200 characters ending with '.'",
            )
            c.expect(
                isinstance(rec.get("description"), str) and rec["description"].strip() != "",
                where,
                "description required",
            )

            contributors = rec.get("contributors")
            if c.expect(isinstance(contributors, list), where, "contributors must be a list"):
                for slug in contributors:
                    c.expect(
                        slug in orgs, where, f"contributor {slug!r} is not in organizations.yaml"
                    )
                    c.expect(slug != lead, where, "the lead must not be listed as a contributor")
                c.expect(
                    len(set(contributors)) == len(contributors), where, "duplicate contributors"
                )

            released = rec.get("released")
            c.expect(
                released is None
                or (isinstance(released, str) and bool(RELEASED_RE.match(released))),
                where,
                "released must be a 'YYYY-MM' or 'YYYY' string, or null",
            )
            c.expect(
                rec.get("version") is None or isinstance(rec["version"], str),
                where,
                "version must be a string or null",
            )

            # License.
            expression = rec.get("license")
            if expression is not None:
                check_license_expression(c, where, expression, licensing, license_fixture)
            c.expect(
                rec.get("license_note") is None or isinstance(rec["license_note"], str),
                where,
                "license_note must be a string or null",
            )

            # Links.
            links = rec.get("links")
            if c.expect(
                isinstance(links, dict) and set(links) == LINK_KEYS,
                where,
                f"links must have exactly {sorted(LINK_KEYS)}",
            ):
                for key in ("homepage", "repository", "paper"):
                    c.expect(
                        links[key] is None or bool(URL_RE.match(str(links[key]))),
                        where,
                        f"links.{key} must be a URL or null",
                    )
                hf = links["huggingface"]
                c.expect(
                    hf is None
                    or (
                        isinstance(hf, str)
                        and bool(HF_RE.match(hf))
                        and "--" not in hf
                        and ".." not in hf
                    ),
                    where,
                    "links.huggingface must be a repo id 'owner/name', not a URL",
                )

            # Taxonomy.
            for field, known in (
                ("tasks", tasks),
                ("modalities", modalities),
                ("languages", languages),
            ):
                values = rec.get(field)
                if c.expect(isinstance(values, list), where, f"{field} must be a list"):
                    for value in values:
                        c.expect(
                            value in known,
                            where,
                            f"{field}: {value!r} is not in fixtures/taxonomy.yaml",
                        )
                    c.expect(len(set(values)) == len(values), where, f"duplicate {field}")
            tags = rec.get("tags")
            if c.expect(
                isinstance(tags, list) and len(tags) <= 6, where, "tags must be a list of 0-6"
            ):
                for tag in tags:
                    c.expect(
                        isinstance(tag, str) and bool(SLUG_RE.match(tag)), where, f"bad tag {tag!r}"
                    )
                c.expect(len(set(tags)) == len(tags), where, "duplicate tags")

            # Kind blocks.
            if kind == "model" and isinstance(rec.get("model"), dict):
                check_model_block(c, where, rec["model"])
            if kind == "dataset" and isinstance(rec.get("dataset"), dict):
                check_dataset_block(c, where, rec["dataset"])
            if kind == "tool" and isinstance(rec.get("tool"), dict):
                check_tool_block(c, where, rec["tool"])

            openness = rec.get("openness")
            if c.expect(isinstance(openness, list), where, "openness must be a list"):
                for component in openness:
                    c.expect(
                        component in OPENNESS_COMPONENTS,
                        where,
                        f"unknown openness component {component!r}",
                    )
                c.expect(not openness or kind == "model", where, "openness is for models only")

            sources = rec.get("sources")
            c.expect(
                isinstance(sources, list)
                and len(sources) > 0
                and all(isinstance(s, str) and URL_RE.match(s) for s in sources),
                where,
                "sources must be a non-empty list of URLs",
            )
            c.expect(
                rec.get("notes") is None or isinstance(rec["notes"], str),
                where,
                "notes must be a string or null",
            )
            published = {
                "released": released,
                "license": expression,
                "version": rec.get("version"),
                "license_note": rec.get("license_note"),
                **(
                    {
                        "repository": links.get("repository"),
                        "homepage": links.get("homepage"),
                        "huggingface": links.get("huggingface"),
                        "paper": links.get("paper"),
                    }
                    if isinstance(links, dict)
                    else {}
                ),
            }
            check_unverified(c, where, rec.get("unverified"), published)
            check_published_strings(c, where, rec)
    c.expect(total == 60, "seeds", f"expected 60 artifacts in all, found {total}")
    check_lineage(c, artifacts, kinds)
    return artifacts


def check_license_expression(
    c: Checker, where: str, expression, licensing, license_fixture: dict[str, dict]
) -> None:
    if not c.expect(
        isinstance(expression, str) and expression.strip() != "",
        where,
        "license must be a non-empty SPDX expression or null",
    ):
        return
    try:
        tree = licensing.parse(expression, strict=True)
    except Exception as error:  # license_expression raises several error types
        c.error(where, f"license {expression!r} does not parse: {error}")
        return
    unknown = licensing.unknown_license_keys(tree)
    c.expect(not unknown, where, f"license {expression!r} has unknown keys {unknown}")
    for key in licensing.license_keys(tree):
        c.expect(
            key in license_fixture,
            where,
            f"license key {key!r} has no entry (with flags) in fixtures/licenses.yaml",
        )
    c.expect(str(tree) == expression, where, f"write the license in normalized form: {str(tree)!r}")


def check_model_block(c: Checker, where: str, block: dict) -> None:
    c.expect(
        set(block) == {"architecture", "variants"},
        where,
        "model block has exactly 'architecture' and 'variants'",
    )
    c.expect(
        block.get("architecture") is None or isinstance(block["architecture"], str),
        where,
        "model.architecture must be a string or null",
    )
    variants = block.get("variants")
    if not c.expect(isinstance(variants, list), where, "model.variants must be a list"):
        return
    names = set()
    for variant in variants:
        name = variant.get("name")
        c.expect(
            isinstance(name, str) and name != "" and name not in names,
            where,
            f"variant name {name!r} missing or repeated",
        )
        names.add(name)
        params = variant.get("parameters")
        c.expect(
            isinstance(params, int) and not isinstance(params, bool) and params > 0,
            where,
            f"variant {name}: parameters must be a positive integer",
        )
        active = variant.get("active_parameters")
        c.expect(
            active is None
            or (isinstance(active, int) and isinstance(params, int) and 0 < active <= params),
            where,
            f"variant {name}: active_parameters must be a positive integer <= parameters",
        )
        c.expect(
            set(variant) <= {"name", "parameters", "active_parameters"},
            where,
            f"variant {name}: unexpected keys",
        )


def check_dataset_block(c: Checker, where: str, block: dict) -> None:
    c.expect(
        set(block) == {"size", "formats"}, where, "dataset block has exactly 'size' and 'formats'"
    )
    size = block.get("size")
    if size is not None:
        c.expect(
            isinstance(size, dict)
            and set(size) == {"value", "unit"}
            and isinstance(size.get("value"), (int, float))
            and not isinstance(size["value"], bool)
            and size["value"] > 0
            and size.get("unit") in SIZE_UNITS,
            where,
            f"dataset.size must be null or {{value: >0, unit: one of {sorted(SIZE_UNITS)}}}",
        )
    formats = block.get("formats")
    c.expect(
        isinstance(formats, list) and all(isinstance(f, str) for f in formats),
        where,
        "dataset.formats must be a list of strings",
    )


def check_tool_block(c: Checker, where: str, block: dict) -> None:
    c.expect(
        set(block) == {"category", "programming_languages"},
        where,
        "tool block has exactly 'category' and 'programming_languages'",
    )
    c.expect(
        block.get("category") in TOOL_CATEGORIES,
        where,
        f"tool.category must be one of {sorted(TOOL_CATEGORIES)}",
    )
    langs = block.get("programming_languages")
    c.expect(
        isinstance(langs, list) and all(isinstance(x, str) and x == x.lower() for x in langs),
        where,
        "tool.programming_languages must be a list of lowercase strings",
    )


def check_lineage(c: Checker, artifacts: dict[str, dict], kinds: dict[str, str]) -> None:
    graph: dict[str, list[str]] = {artifact_id: [] for artifact_id in artifacts}
    for artifact_id, rec in artifacts.items():
        where = f"{artifact_id} lineage"
        edges = rec.get("lineage")
        if not c.expect(isinstance(edges, list), where, "must be a list"):
            continue
        seen = set()
        for edge in edges:
            kind = edge.get("type")
            if not c.expect(kind in RELATIONS, where, f"unknown type {kind!r}"):
                continue
            sources, targets = RELATIONS[kind]
            c.expect(
                kinds[artifact_id] in sources,
                where,
                f"a {kinds[artifact_id]} cannot be the source of {kind}",
            )
            has_target, has_external = "target" in edge, "external" in edge
            if not c.expect(
                has_target != has_external and set(edge) <= {"type", "target", "external"},
                where,
                "an edge has 'type' and exactly one of 'target' or 'external'",
            ):
                continue
            if has_target:
                target = edge["target"]
                key = (kind, "target", target)
                if c.expect(target in artifacts, where, f"target {target!r} is not in the seeds"):
                    c.expect(target != artifact_id, where, "an edge must not point to itself")
                    c.expect(
                        kinds[target] in targets,
                        where,
                        f"{kind} must point to a {'/'.join(sorted(targets))}, "
                        f"{target} is a {kinds[target]}",
                    )
                    graph[artifact_id].append(target)
            else:
                external = edge["external"]
                ok = isinstance(external, dict) and set(external) <= {"name", "kind", "url"}
                c.expect(
                    ok
                    and isinstance(external.get("name"), str)
                    and external["name"] != ""
                    and external.get("kind") in _ALL,
                    where,
                    "external needs a name and a kind (model, dataset or tool), url optional",
                )
                if ok:
                    c.expect(
                        external.get("kind") in targets,
                        where,
                        f"{kind} must point to a {'/'.join(sorted(targets))}",
                    )
                    c.expect(
                        external.get("url") is None or bool(URL_RE.match(str(external["url"]))),
                        where,
                        "external.url must be a URL",
                    )
                key = (
                    kind,
                    "external",
                    external.get("name") if isinstance(external, dict) else None,
                )
            c.expect(key not in seen, where, f"duplicate edge {key}")
            seen.add(key)
    # Cycles: depth-first search with colours.
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)

    def visit(node: str, path: list[str]) -> None:
        colour[node] = grey
        for nxt in graph[node]:
            if colour[nxt] == grey:
                c.error("lineage", "cycle: " + " -> ".join([*path, node, nxt]))
            elif colour[nxt] == white:
                visit(nxt, [*path, node])
        colour[node] = black

    for node in graph:
        if colour[node] == white:
            visit(node, [])


def check_against_facts(
    c: Checker, facts_path: Path, orgs: dict[str, dict], files: dict[str, list]
) -> None:
    facts = load(facts_path)
    org_names = [o["name"] for o in facts["organizations"]]
    seeded_names = [o["name"] for o in orgs.values()]
    c.expect(
        seeded_names == org_names,
        "organizations.yaml",
        "organizations must be those of the facts, in the facts' order",
    )
    slug_by_name = {o["name"]: slug for slug, o in orgs.items()}
    by_name: dict[str, tuple[str, dict]] = {}
    for kind, records in files.items():
        for rec in records or []:
            c.expect(
                rec.get("name") not in by_name,
                KIND_FILES[kind],
                f"{rec.get('name')!r} appears twice",
            )
            by_name[rec.get("name")] = (kind, rec)
    for contribution in facts["contributions"]:
        name = contribution["name"]
        where = f"facts contribution {name!r}"
        if not c.expect(name in by_name, where, "is missing from the seeds"):
            continue
        kind, rec = by_name[name]
        c.expect(
            kind == contribution["kind"],
            where,
            f"is in {KIND_FILES[kind]}, but is a {contribution['kind']}",
        )
        slugs = [slug_by_name.get(o) for o in contribution["organizations"]]
        c.expect(rec["id"].split("/")[0] == slugs[0], where, f"lead must be {slugs[0]!r}")
        c.expect(rec.get("contributors") == slugs[1:], where, f"contributors must be {slugs[1:]}")
        c.expect(
            rec.get("sources") == contribution["sources"],
            where,
            "sources must be the facts' sources",
        )
        for field in ("release_date", "license", "parameters", "repository", "hf_repo_id", "size"):
            value = contribution.get(field)
            if isinstance(value, str) and value.strip().endswith("?"):
                target = {"release_date": "released", "size": "size"}.get(field, field)
                c.expect(
                    target in (rec.get("unverified") or {}) or value.strip() == "?",
                    where,
                    f"{field} is unconfirmed in the facts; record it under unverified.{target}",
                )
    c.expect(
        len(by_name) == len(facts["contributions"]),
        "seeds",
        "the seeds hold artifacts that are not in the facts",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=Path, help="alliance_facts.yaml to cross-check against")
    args = parser.parse_args(argv)

    c = Checker()
    orgs = check_organizations(c, load(SEEDS / "organizations.yaml"))
    tasks, modalities, languages = check_taxonomy(c, load(FIXTURES / "taxonomy.yaml"))
    registry = registry_index()
    license_fixture = check_license_fixture(c, load(FIXTURES / "licenses.yaml"), registry)
    extra = [
        {"spdx_license_key": key, "other_spdx_license_keys": [], "is_exception": False}
        for key in license_fixture
        if key not in registry
    ]
    licensing = build_spdx_licensing([*get_license_index(), *extra])
    files = {kind: load(SEEDS / fname) for kind, fname in KIND_FILES.items()}
    check_artifacts(c, files, orgs, tasks, modalities, languages, licensing, license_fixture)

    facts_path = args.facts or next((p for p in DEFAULT_FACTS if p.exists()), None)
    if facts_path is not None:
        check_against_facts(c, facts_path, orgs, files)

    if c.errors:
        print(f"{len(c.errors)} problem(s):")
        for error in c.errors:
            print(f"  - {error}")
        return 1
    checked = (
        "checked against " + str(facts_path)
        if facts_path
        else "facts file not found, not cross-checked"
    )
    print(
        f"seeds OK: {len(orgs)} organizations, "
        f"{sum(len(v or []) for v in files.values())} artifacts ({checked})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
