"""CKAN's package_search, asked of the catalog's own search (run_search).

CKAN's parameters become the catalog's: `q` its words (`*:*` is everything), `fq` and
`fq_list` its filters, `sort` its ordering, `rows` and `start` a window over its pages,
`facet.field` its facets. So the entries, counts and facet counts are those of
`/api/v1/artifacts/` for the same question, and the rules are the catalog's:

- `fq` holds `field:value` clauses (a value in "quotes" or a group `(a OR b)`);
  different fields must all hold, several values of one field are either (as
  `?tag=a&tag=b` in `/api/v1/`). Fields: organization, tags, license_id, type (model,
  dataset or tool), res_format, and capacity:public (every entry is public).
  The same clauses may be written in `q`.
- Facet counts are counted under the other filters, not the facet's own (the catalog's
  facets let a reader pick several values), at most 20 values each.
- Sorts: score, metadata_modified, title_string, title, name and id, asc or desc; a field
  the catalog has no order for (metadata_created, views_recent, ...) falls back to
  CKAN's default: best match first with words, else the most recently changed first.
"""

from __future__ import annotations

import re

from django.http import QueryDict

from catalog.models import Language, Modality, Tag, Task
from catalog.protocols.ckan_packages import CkanFilterSet, package_dicts, taxonomy_slugs
from catalog.protocols.ckan_requests import ValidationError, boolean, natural_number, string_list
from catalog.search.facets import FACETS
from catalog.search.query import MAX_PAGE_SIZE, run_search

MAX_ROWS = 1000  # CKAN's ckan.search.rows_max: more is capped, silently
DEFAULT_ROWS = 10
DEFAULT_FACET_LIMIT = 50
DEFAULT_SORT = "score desc, metadata_modified desc"

# fq field -> the catalog's filter ("tags" is resolved per value: see _tag_filters).
FQ_FIELDS = {
    "organization": "organization",
    "owner_org": "organization",
    "license_id": "license",
    "type": "kind",
    "dataset_type": "kind",
    "res_format": "res_format",
    "tags": "tags",
}
ALWAYS_TRUE = {("capacity", "public")}
# CKAN facet field -> the catalog's facets it is made of.
FACET_FIELDS = {
    "organization": ["organization"],
    "owner_org": ["organization"],
    "tags": ["task", "modality", "language", "tag"],
    "license_id": ["license"],
    "type": ["kind"],
    "groups": [],  # the catalog has no groups
    **{name: [name] for name in FACETS},
}
SORT_FIELDS = {
    "score": "relevance",
    "rank": "relevance",
    "metadata_modified": "updated",
    "title_string": "name",
    "title": "name",
    "name": "name",
    "id": "name",
}
_VALUE = r'"(?:[^"\\]|\\.)*"|\((?:[^()"]|"(?:[^"\\]|\\.)*")*\)|[^\s()"]+'
_CLAUSE = re.compile(rf"(?P<sign>[+-]?)(?P<field>[A-Za-z_]+):(?P<value>{_VALUE})")
_GROUP_VALUE = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')


def _unquote(value: str) -> str:
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _clause_values(value: str, clause: str) -> list[str]:
    if not value.startswith("("):
        return [_unquote(value)]
    words = _GROUP_VALUE.findall(value[1:-1])
    values = [_unquote(w) for w in words if w not in {"OR", "||"}]
    if any(w in {"AND", "&&", "NOT"} for w in words) or not values:
        raise ValidationError(
            {
                "fq": [
                    f"Cannot read {clause}: a group lists values joined by OR, e.g. tags:(a OR b)."
                ]
            }
        )
    return values


def parse_fq(text: str, *, where: str = "fq") -> list[tuple[str, list[str]]]:
    """(field, values) for each `field:value` clause of `text`."""
    clauses = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        for joiner in ("AND ", "&& "):
            if text.startswith(joiner, position):
                position += len(joiner)
                break
        else:
            match = _CLAUSE.match(text, position)
            if not match:
                rest = text[position:].split()[0]
                raise ValidationError(
                    {
                        where: [
                            f"Cannot read “{rest}”: write field:value clauses, e.g. "
                            'organization:ibm tags:"text-generation" type:model.'
                        ]
                    }
                )
            clauses.append(_read_clause(match, where))
            position = match.end()
    return [clause for clause in clauses if clause is not None]


def _read_clause(match: re.Match, where: str) -> tuple[str, list[str]] | None:
    field, clause = match["field"], match.group(0)
    values = _clause_values(match["value"], clause)
    if match["sign"] == "-":
        raise ValidationError(
            {where: [f"Cannot read {clause}: excluding values is not supported."]}
        )
    if all((field, value) in ALWAYS_TRUE for value in values):
        return None
    if field not in FQ_FIELDS:
        raise ValidationError(
            {where: [f"Cannot filter on {field}; use any of {', '.join(sorted(FQ_FIELDS))}."]}
        )
    return field, values


def _split_q(text: str) -> tuple[str, list[tuple[str, list[str]]]]:
    """(the words of q, its field:value clauses on fields fq knows)."""
    if text.strip() in {"", "*:*", "*"}:
        return "", []
    clauses = []

    def take(match: re.Match) -> str:
        if match["field"] not in FQ_FIELDS and match["field"] != "capacity":
            return match.group(0)
        clause = _read_clause(match, "q")
        if clause is not None:
            clauses.append(clause)
        return " "

    words = _CLAUSE.sub(take, text)
    return " ".join(words.split()), clauses


def _tag_filters(names: set[str]) -> dict[str, str]:
    """Which of the catalog's filters reads each tag: task, modality or language for a
    term of the taxonomy, else tag."""
    found = {}
    for model, filter_name in ((Task, "task"), (Modality, "modality"), (Language, "language")):
        for slug in model.objects.filter(slug__in=names).values_list("slug", flat=True):
            found[slug] = filter_name
    for slug in Tag.objects.filter(slug__in=names - found.keys()).values_list("slug", flat=True):
        found[slug] = "tag"
    return found


def _ordering(sort: str, has_words: bool) -> str:
    for clause in sort.split(","):
        parts = clause.split()
        if not parts:
            continue
        if len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in {"asc", "desc"}):
            raise ValidationError(
                {"sort": [f"Cannot read “{clause.strip()}”: write field asc or field desc."]}
            )
        field, descending = parts[0], len(parts) == 2 and parts[1].lower() == "desc"
        ordering = SORT_FIELDS.get(field)
        if ordering is None or (ordering == "relevance" and not has_words):
            continue  # no such order here: the next clause, or the default
        if ordering == "relevance":
            return "-relevance" if not descending else "relevance"
        return f"-{ordering}" if descending else ordering
    return "relevance" if has_words else "-updated"


def search_question(params: dict, user) -> tuple[QueryDict, dict[str, str]]:
    """The catalog's search parameters for CKAN's, and which CKAN parameter each
    catalog parameter came from (to name it in errors)."""
    words, clauses = _split_q(str(params.get("q") or ""))
    fq = params.get("fq") or ""
    if not isinstance(fq, str):
        raise ValidationError({"fq": ["Send fq as one string of field:value clauses."]})
    clauses += parse_fq(fq)
    for text in string_list(params, "fq_list"):
        clauses += parse_fq(text, where="fq_list")

    question = QueryDict(mutable=True)
    origin = {"q": "q", "ordering": "sort", "page": "start", "page_size": "rows"}
    if words:
        question["q"] = words
    sort = params.get("sort") or DEFAULT_SORT
    if not isinstance(sort, str):
        raise ValidationError({"sort": ["Send sort as a string, e.g. metadata_modified desc."]})
    question["ordering"] = _ordering(sort, bool(words))

    tags = {v for field, values in clauses if field == "tags" for v in values}
    tag_filters = _tag_filters(tags) if tags else {}
    for field, values in clauses:
        for value in values:
            name = FQ_FIELDS[field]
            if name == "tags":
                name = tag_filters.get(value)
                if name is None:
                    raise ValidationError({"fq": [f"No entry has the tag “{value}”."]})
            question.appendlist(name, value)
            origin[name] = "fq"
    if boolean(params, "include_drafts", default=False) and user.is_authenticated:
        # A member's own drafts too, as CKAN's include_drafts shows a user theirs.
        question.setlist("status", ["published", "deprecated", "draft", "in_review"])
    return question, origin


def _facet_request(params: dict) -> tuple[list[str], list[str], int]:
    """(CKAN facet fields, the catalog facets they need, facet.limit)."""
    fields = list(dict.fromkeys(string_list(params, "facet.field", as_json=True)))
    unknown = [f for f in fields if f not in FACET_FIELDS]
    if unknown:
        raise ValidationError(
            {
                "facet.field": [
                    f"Cannot count {', '.join(unknown)}; use any of {', '.join(FACET_FIELDS)}."
                ]
            }
        )
    facet_names = list(dict.fromkeys(name for f in fields for name in FACET_FIELDS[f]))
    limit = params.get("facet.limit", DEFAULT_FACET_LIMIT)
    limit = DEFAULT_FACET_LIMIT if limit in (None, "") else _integer(limit, "facet.limit")
    return fields, facet_names, limit


def _integer(value, name: str) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"Enter a whole number, not “{value}”."]}) from None


def _facets(fields: list[str], result, limit: int) -> tuple[dict, dict]:
    """CKAN's `facets` ({field: {value: count}}) and `search_facets`."""
    taxonomy = taxonomy_slugs() if "tags" in fields else frozenset()
    facets, search_facets = {}, {}
    for field in fields:
        values = [
            value
            for name in FACET_FIELDS[field]
            for value in result.facets.get(name, [])
            # A free tag spelled like a term is that term (see ckan_packages).
            if not (field == "tags" and name == "tag" and value.value in taxonomy)
        ]
        values = sorted((v for v in values if v.count), key=lambda v: (-v.count, v.label.lower()))
        if limit >= 0:
            values = values[:limit]
        facets[field] = {v.value: v.count for v in values}
        search_facets[field] = {
            "title": field,
            "items": [{"name": v.value, "display_name": v.label, "count": v.count} for v in values],
        }
    return facets, search_facets


def _catalog_errors(errors: dict[str, list[str]], origin: dict[str, str]) -> ValidationError:
    named: dict[str, list[str]] = {}
    for name, messages in errors.items():
        field = origin.get(name, name)
        prefix = f"{name}: " if field == "fq" else ""
        named.setdefault(field, []).extend(prefix + message for message in messages)
    return ValidationError(named)


def package_search(params: dict, request) -> dict:
    """Search the catalog's entries (CKAN's package_search).

    Takes q, fq, fq_list, sort, rows (capped at 1000), start, facet.field, facet.limit
    and include_drafts; see the module's docstring for how each is read.
    """
    errors: dict[str, list[str]] = {}

    def read(reader, *args, **kwargs):
        # Every refused parameter is named at once, not only the first.
        try:
            return reader(*args, **kwargs)
        except ValidationError as error:
            errors.update(error.errors)
            return None

    rows = read(natural_number, params, "rows", default=DEFAULT_ROWS)
    start = read(natural_number, params, "start", default=0)
    facet_request = read(_facet_request, params)
    search = read(search_question, params, request.user)
    if errors:
        raise ValidationError(errors)
    rows = min(rows, MAX_ROWS)
    fields, facet_names, facet_limit = facet_request
    question, origin = search

    # run_search pages by page number: cover [start, start + rows) with pages of one size.
    # (rows=0 asks for the count and the facets only: one page of one.)
    size = rows if 0 < rows <= MAX_PAGE_SIZE and start % rows == 0 else MAX_PAGE_SIZE
    first_page = start // size + 1 if rows else 1
    offset = start - (first_page - 1) * size
    ids: list[int] = []
    first = None
    page = first_page
    while True:
        question["page"], question["page_size"] = str(page), str(size if rows else 1)
        result = run_search(
            question,
            request.user,
            facets=facet_names if first is None else [],
            load=list,
            filterset_class=CkanFilterSet,
        )
        if result.errors and not result.page_not_found:
            raise _catalog_errors(result.errors, origin)
        if first is None:
            first = result
        ids += result.artifacts
        if not rows or result.page_not_found or not result.has_next or len(ids) >= offset + rows:
            break
        page += 1
    if first.page_not_found and facet_names:
        # Past the last entry: no results, but the count and facets still hold.
        question["page"], question["page_size"] = "1", "1"
        first = run_search(
            question, request.user, facets=facet_names, load=list, filterset_class=CkanFilterSet
        )
    facets, search_facets = _facets(fields, first, facet_limit)
    return {
        "count": first.count,
        "sort": params.get("sort") or DEFAULT_SORT,
        "facets": facets,
        "search_facets": search_facets,
        "results": package_dicts(ids[offset : offset + rows] if rows else [], request),
    }
