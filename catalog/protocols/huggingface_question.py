"""The Hugging Face Hub's list parameters, read as the catalog's own search parameters.

    question = read_question(request.query_params, kind=ArtifactKind.MODEL)
    run_search(question.search_params, user)     # the same search as /api/v1/artifacts/

`list_models(search=..., author=..., filter=[...], sort=..., limit=...)` becomes
`q`, `organization`, `task`/`language`/`tag`/`license`/`modality`/`trained_on`,
`ordering` and `page_size`, so both APIs give the same entries in the same order.

A `filter` value is a tag, as on the Hub: a task (`text-generation`), a language code
(`en`), a free tag (`llm`), or prefixed (`license:apache-2.0`, `dataset:<id>`,
`language:en`, `task_categories:...`, `modality:text`). A tag no entry carries matches
nothing, as on the Hub (`NothingMatches`). The Hub requires every filter to hold, and
the catalog's filters match any of several values of one filter, so two different
values of one filter (two tags, two languages) are refused rather than answered
differently (`BadQuestion`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import CharField, Q, Value
from django.http import QueryDict

from catalog.models import Language, License, Tag, Task
from catalog.search.query import MAX_PAGE_SIZE

# A page's size without `limit`, and the most `limit` asks for in one page (the client
# stops after `limit` entries itself, following `next` links for the rest).
PAGE_SIZE = MAX_PAGE_SIZE
# The Hub's sorts (the client's names and the ones it sends), as catalog orderings.
SORTS = {
    "lastModified": "updated",
    "last_modified": "updated",
    "createdAt": "released",  # an entry's createdAt is its release date
    "created_at": "released",
}
# The catalog counts no downloads, likes or trends: these keep its default order
# (best match first with `search`, else by name), and invent no numbers.
UNCOUNTED_SORTS = frozenset({"downloads", "likes", "trendingScore", "trending_score"})
# Hub filters the catalog knows nothing about: refused, never answered as if it did.
UNKNOWN_TO_THE_CATALOG = {
    "gated": "which entries are gated on the Hub",
    "apps": "which apps run a model",
    "inference": "which models inference providers serve",
    "inference_provider": "which models inference providers serve",
}
# filter prefixes -> the catalog's filter
PREFIXES = {
    "license": "license",
    "dataset": "trained_on",
    "language": "language",
    "task_categories": "task",
    "modality": "modality",
}
FAMILY_NAMES = {
    "task": "tasks",
    "language": "languages",
    "tag": "tags",
    "license": "licenses",
    "modality": "modalities",
    "trained_on": "datasets",
    "organization": "authors",
}
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})


class BadQuestion(ValueError):
    """A bad parameter, or a question the catalog cannot answer as the Hub would."""


class NothingMatches(Exception):
    """A filter names a tag, author or dataset no entry has: the answer is an empty list."""


@dataclass
class Question:
    search_params: QueryDict
    full: bool = False
    card_data: bool = False
    expand: list[str] = field(default_factory=list)


def flag(params: QueryDict, name: str) -> bool:
    """A boolean as either client sends it: `true` (httpx, 2.x), `True` (requests, 0.x), `1`."""
    value = params.get(name)
    if value is None or value.strip().lower() in FALSE or value.strip() == "":
        return False
    if value.strip().lower() in TRUE:
        return True
    raise BadQuestion(f"{name}: use true or false, not {value!r}.")


def read_question(params: QueryDict, *, kind: str) -> Question:
    """The catalog's search parameters for the Hub's list parameters `params`."""
    for name, unknown in UNKNOWN_TO_THE_CATALOG.items():
        if params.get(name, "").strip():
            raise BadQuestion(
                f"{name}: the catalog does not know {unknown}; leave {name} out "
                "(or ask the Hugging Face Hub)."
            )
    # Every parameter is checked before a filter may answer "nothing matches".
    full, card_data = flag(params, "full"), flag(params, "cardData")
    search = QueryDict(mutable=True)
    search["kind"] = kind
    words = " ".join(value.strip() for value in params.getlist("search") if value.strip())
    if words:
        search["q"] = words
    search["page_size"] = str(_page_size(params.get("limit")))
    ordering = _ordering(params.get("sort"), params.get("direction"))
    if ordering:
        search["ordering"] = ordering
    for name in ("cursor", "page"):  # where a `next` link of ours goes on
        if params.get(name):
            search[name] = params[name]
    for name, value in _parameter_bounds(params.get("num_parameters")).items():
        search[name] = value
    for name, value in _filters(params).items():
        search[name] = value
    return Question(
        search_params=search,
        full=full,
        card_data=card_data,
        expand=[value for value in params.getlist("expand") if value.strip()],
    )


def hub_parameter(name: str) -> str:
    """The Hub's name for a catalog search parameter, for error messages."""
    if name in FAMILY_NAMES and name != "organization":
        return "filter"
    return {
        "q": "search",
        "page_size": "limit",
        "ordering": "sort",
        "organization": "author",
        "min_parameters": "num_parameters",
        "max_parameters": "num_parameters",
    }.get(name, name)


def _page_size(value: str | None) -> int:
    """`limit` is the page size, capped: the client stops after `limit` entries itself."""
    if value is None or not value.strip():
        return PAGE_SIZE
    try:
        limit = int(value)
    except ValueError:
        raise BadQuestion(f"limit: enter a whole number, not {value!r}.") from None
    if limit < 1:
        raise BadQuestion(f"limit: use 1 or more (pages hold up to {PAGE_SIZE}).")
    return min(limit, PAGE_SIZE)


def _ordering(sort: str | None, direction: str | None) -> str:
    if not sort:
        return ""
    if sort in UNCOUNTED_SORTS:
        return ""
    if sort not in SORTS:
        names = ", ".join([*dict.fromkeys(SORTS), *sorted(UNCOUNTED_SORTS)])
        raise BadQuestion(f"sort: {sort!r} is not a sort; use one of {names}.")
    if direction not in (None, "", "-1", "1"):
        raise BadQuestion(f"direction: use -1 (descending, the default) or 1, not {direction!r}.")
    return SORTS[sort] if direction == "1" else f"-{SORTS[sort]}"


def _parameter_bounds(value: str | None) -> dict[str, str]:
    """`num_parameters=min:6B,max:128B` as the catalog's min_parameters and max_parameters."""
    if not value or not value.strip():
        return {}
    bounds = {}
    for part in value.split(","):
        bound, _, number = part.strip().partition(":")
        if bound not in ("min", "max") or not number.strip():
            raise BadQuestion(
                f"num_parameters: write min:<count>, max:<count> or both, e.g. "
                f"min:6B,max:128B; not {value!r}."
            )
        bounds[f"{bound}_parameters"] = number.strip()
    return bounds


def _filters(params: QueryDict) -> dict[str, str]:
    """The catalog filters the Hub's `filter`, `pipeline_tag` and `author` ask for: one
    value per filter (see the module docstring)."""
    chosen: dict[str, str] = {}

    def choose(name: str, value: str, given: str) -> None:
        if chosen.get(name, value) != value:
            raise BadQuestion(
                f"filter: {chosen[name]!r} and {given!r} are both {FAMILY_NAMES[name]}. The Hub "
                f"answers entries with all the filters; this catalog filters by one of its "
                f"{FAMILY_NAMES[name]} at a time, so ask for one."
            )
        chosen[name] = value

    author = (params.get("author") or "").strip()
    if author:
        choose("organization", author, author)
    tags = [value.strip() for value in params.getlist("filter") if value.strip()]
    pipeline_tag = (params.get("pipeline_tag") or "").strip()
    bare, licenses = [], []
    for tag in tags:
        prefix, colon, value = tag.partition(":")
        if not colon:
            bare.append(tag)
        elif prefix == "license":
            licenses.append(value)
        elif prefix in PREFIXES:
            choose(PREFIXES[prefix], value, tag)
        else:
            raise NothingMatches(tag)  # `library:...`, `region:...`: tags no entry carries
    if pipeline_tag:
        choose("task", pipeline_tag, pipeline_tag)
    terms, license_keys = _look_up(bare, licenses)
    for tag in bare:
        if tag not in terms:
            raise NothingMatches(tag)
        choose(terms[tag], tag, tag)
    for value in licenses:
        if value.lower() not in license_keys:
            raise NothingMatches(f"license:{value}")
        choose("license", license_keys[value.lower()], f"license:{value}")
    return chosen


def _look_up(bare: list[str], licenses: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """In one statement: which filter each bare tag is for (a task, else a language, else
    a free tag), and the key of each license id, whatever its case (the Hub writes
    `apache-2.0`, SPDX `Apache-2.0`)."""
    terms: dict[str, str] = {}
    license_keys: dict[str, str] = {}
    if not bare and not licenses:
        return terms, license_keys

    def named(queryset, family: str, column: str):
        return queryset.order_by().values_list(Value(family, output_field=CharField()), column)

    statements = [
        named(Task.objects.filter(slug__in=bare), "task", "slug"),
        named(Language.objects.filter(slug__in=bare), "language", "slug"),
        named(Tag.objects.filter(slug__in=bare), "tag", "slug"),
    ]
    if licenses:
        any_case = Q()
        for value in licenses:
            any_case |= Q(key__iexact=value)
        statements.append(named(License.objects.filter(any_case), "license", "key"))
    precedence = ["task", "language", "tag", "license"]
    rows = statements[0].union(*statements[1:], all=True)
    for family, value in sorted(rows, key=lambda row: precedence.index(row[0])):
        if family == "license":
            license_keys.setdefault(value.lower(), value)
        else:
            terms.setdefault(value, family)
    return terms, license_keys
