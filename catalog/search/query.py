"""The search, as one plain function the API and the web pages both call.

    from catalog.search.query import run_search

    result = run_search(request.GET, request.user, facets=["kind", "task"])
    if result.errors:            # {"page_size": ["Use a page size from 1 to 100."]}
        ...                      # nothing was searched; say what is wrong
    result.artifacts             # the requested page, in order, as `load` makes it from
                                 # their ids: by default Artifact objects with
                                 # organizations, licenses, terms and variants prefetched
    result.count                 # entries matching, exactly, whatever the filters
    result.facets                # {"kind": [FacetValue(value, label, count, selected)]}
    result.page, result.page_size, result.num_pages, result.has_next, result.has_previous
    result.interpretation        # how q was read (None without q): kinds its words asked
                                 # for, common words left out, match "all" or "some",
                                 # did_you_mean and whether the results are its

Parameters (a QueryDict; unknown ones are ignored):
  q            words, "phrases", -exclusions, OR; the last word also matches as a prefix
  filters      see catalog.search.filters.ArtifactFilterSet; each repeats (values OR'ed)
  ordering     relevance (default with q), name (default without), released, updated,
               parameters; '-' in front for descending
  page         1-based; page_size 1..100 (default 20)
  cursor       instead of page, a keyset position from result.next_cursor (catalog.
               search.cursor) for orderings other than relevance
  facets       comma-separated facet names, read when the `facets` argument is None

Visibility: everyone sees published and deprecated entries; `status=` lets a member add
their own organizations' entries in that status (Artifact.objects.visible_to). An
anonymous reader asking for a status that is not public gets an error naming `status`.

Forgiving (catalog.search.reading): common words need not match, kind words filter,
names match joined or apart. When no entry holds every word, a second statement finds
the entries holding the most of them; when nothing or only some words match, one
statement looks the unknown words up in the index's vocabulary (catalog.search.
vocabulary), and the corrected q is searched once more; its results replace q's when
q matched nothing, or only some words while the corrected q matches all. A q with
nothing to search for, or with common words only, is an error naming `q`.

Exact whatever the filters: the filters run inside the match statement (its ids
restricted to the filtered entries' subquery), so the database ranks only the entries
that pass them and returns the order up to the page (a top-k sort); when that is full,
one count (no scores) counts every match that passes; other orderings, counts and
facets read the filtered entries restricted to the match's ids. Only the first
CANDIDATE_LIMIT by score are reordered by how well their names answer the query (see
_Ranking). Without `q`, counts and facets that depend on no filter are cached until the
catalog changes
(catalog.search.facets).
"""

from __future__ import annotations

import functools
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.http import QueryDict

from catalog.models import PUBLIC_STATUSES, Artifact, ArtifactStatus, Contribution, ModelVariant
from catalog.search import backends, vocabulary
from catalog.search.cursor import BadCursor, Keyset
from catalog.search.facets import FACETS, FacetValue, cached, facet_counts, facet_values
from catalog.search.filters import ArtifactFilterSet
from catalog.search.reading import STOP_WORDS, read_query
from catalog.search.syntax import MAX_QUERY_LENGTH, ParsedQuery, QuerySyntaxError, parse_query

CANDIDATE_LIMIT = 1000
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000

NOTHING_SEARCHABLE = (
    "“%(q)s” has no letters or digits to search for. Search words, “exact phrases” "
    "or -exclusions, or leave q out to list everything."
)
ONLY_COMMON_WORDS = (
    "“%(q)s” has only common words (%(words)s), which nearly every entry holds. "
    "Add a word that says what you are looking for."
)
MEMBERS_ONLY_STATUS = (
    "Entries in %(statuses)s are visible to signed-in members of their organizations "
    "only; sign in, or leave out status to search published entries."
)
ORDERINGS = {
    "relevance": "best match first (with q)",
    "name": "by name",
    "released": "by release date; entries without one last",
    "updated": "by last change",
    "parameters": "by largest variant's parameter count; entries without one last",
}
ORDERING_CHOICES = [
    (f"{sign}{name}", f"{name} ({'descending' if sign else 'ascending'})")
    for name in ORDERINGS
    for sign in ("", "-")
]


class SearchForm(forms.Form):
    """The parameters that are not filters."""

    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, strip=True)
    ordering = forms.ChoiceField(required=False, choices=ORDERING_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        error_messages={
            "min_value": f"Use a page size from 1 to {MAX_PAGE_SIZE}.",
            "max_value": f"Use a page size from 1 to {MAX_PAGE_SIZE}.",
        },
    )
    facets = forms.CharField(required=False, max_length=500)
    cursor = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = ", ".join(f"'{value}'" for value, _ in ORDERING_CHOICES)
        self.fields["ordering"].error_messages["invalid_choice"] = (
            f"'%(value)s' is not an ordering; use one of {choices}."
        )
        self.fields["q"].error_messages["max_length"] = (
            f"Use at most {MAX_QUERY_LENGTH} characters (this has %(show_value)d)."
        )

    def clean_q(self) -> ParsedQuery:
        text = self.cleaned_data["q"]
        try:
            query = parse_query(text)
        except QuerySyntaxError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
        self.cleaned_data["q_text"] = text
        if text and query.is_empty:
            raise forms.ValidationError(NOTHING_SEARCHABLE % {"q": text}, code="nothing_searchable")
        return query

    def clean_facets(self) -> list[str] | None:
        text = self.cleaned_data["facets"]
        if not text:
            return None
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in FACETS]
        if unknown:
            raise forms.ValidationError(
                f"Unknown facet(s): {', '.join(unknown)}; use any of {', '.join(FACETS)}.",
                code="invalid_choice",
            )
        return list(dict.fromkeys(names))


@dataclass
class Interpretation:
    """How q was read (catalog.search.reading) and how well it matched."""

    kinds: tuple[str, ...] = ()  # kinds the words asked for, as `kind` values
    kind_words: tuple[str, ...] = ()  # the words read as a kind
    ignored: tuple[str, ...] = ()  # common words that need not match
    match: str = "all"  # "all": every word matched; "some": entries with the most words
    did_you_mean: str = ""  # q with its typos corrected from the index's own words
    corrected: bool = False  # the results are did_you_mean's (it matched better than q)

    def as_dict(self) -> dict:
        return {
            "kind": list(self.kinds),
            "kind_words": list(self.kind_words),
            "ignored_words": list(self.ignored),
            "match": self.match,
            "did_you_mean": self.did_you_mean or None,
            "corrected": self.corrected,
        }


@dataclass
class SearchResult:
    artifacts: list[Artifact] = field(default_factory=list)
    count: int = 0
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    ordering: str = ""
    query: ParsedQuery = field(default_factory=ParsedQuery)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    page_not_found: bool = False  # the only error is a page past the last one
    interpretation: Interpretation | None = None  # None without q
    next_cursor: str = ""  # the next page as a cursor, for orderings with a keyset

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_next(self) -> bool:
        return not self.errors and self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return not self.errors and self.page > 1


def with_result_relations(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
    """What a result shows, in a fixed number of queries whatever the page size."""
    return artifacts.prefetch_related(
        # Without these, every result would query its organizations, licenses and terms.
        Prefetch("contributions", queryset=Contribution.objects.select_related("organization")),
        "licenses",
        "tasks",
        "modalities",
        "languages",
        "tags",
        "variants",
    )


def load_artifacts(ids: list[int]) -> list[Artifact]:
    """The page's artifacts, in the order of `ids`, with what a result shows."""
    by_id = with_result_relations(Artifact.objects.filter(pk__in=ids)).in_bulk()
    return [by_id[pk] for pk in ids]


def _order(artifacts: QuerySet[Artifact], ordering: str) -> QuerySet[Artifact]:
    descending = ordering.startswith("-")
    name = ordering.lstrip("-")
    if name in {"relevance", "name"}:
        # As people read: "AMD-OLMo" after "Adversarial", "vLLM" before "Zephyr".
        fields = [Lower("name"), F("name"), F("namespace"), F("slug")]
        return artifacts.order_by(*(f.desc() if descending else f.asc() for f in fields))
    if name == "parameters":
        largest = ModelVariant.objects.filter(artifact=OuterRef("pk")).order_by("-parameters")
        artifacts = artifacts.annotate(
            largest_parameters=Subquery(largest.values("parameters")[:1])
        )
        column = F("largest_parameters")
    else:
        column = F({"released": "released_on", "updated": "updated_at"}[name])
    primary = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return artifacts.order_by(primary, Lower("name"), "name", "namespace", "slug")


def name_match_tiers(query: ParsedQuery, names: dict[int, str]) -> dict[int, int]:
    """How well each name alone answers a query of plain words: 3 the name is the query
    ("llama 2" -> Llama 2), 2 the name starts with it, 1 the name holds every word, else 0.

    The name is the strongest field; this makes that hold the same way on both engines,
    whose scores then order entries within a tier.
    """
    words = [
        token
        for word in query.words
        for token in (t.lower() for t in _NAME_TOKENS.findall(word))
        if token not in STOP_WORDS
    ]
    if not words:
        return dict.fromkeys(names, 0)
    head, last = words[:-1], words[-1]
    head_set = set(head)
    last_is_prefix = query.clauses[-1][0].prefix

    compact = "".join(words)

    def tier(name: str) -> int:
        name_words = [
            w for w in (w.lower() for w in _NAME_TOKENS.findall(name)) if w not in STOP_WORDS
        ]
        # Joined or apart, a name is one name: "llama2" is "Llama 2".
        name_compact = "".join(name_words)
        if name_words == words or name_compact == compact:
            return 3
        if (
            name_words[: len(words)] == words
            or (len(compact) > 2 and name_compact.startswith(compact))
            or (
                last_is_prefix
                and name_words[: len(head)] == head
                and len(name_words) >= len(words)
                and name_words[len(head)].startswith(last)
            )
        ):
            return 2
        if head_set <= set(name_words) and any(w.startswith(last) for w in name_words):
            return 1
        return 0

    return {pk: tier(name) for pk, name in names.items()}


_NAME_TOKENS = re.compile(r"[^\W_]+")


def _errors(*forms_: forms.Form) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for form in forms_:
        for name, messages in form.errors.items():
            errors.setdefault(name, []).extend(str(m) for m in messages)
    return errors


def _ids_sql(artifacts: QuerySet[Artifact]) -> tuple[str, list]:
    """The SQL selecting the ids of `artifacts`, to run inside another statement."""
    sql, sql_params = artifacts.values("pk").query.get_compiler(connection=connection).as_sql()
    return sql, list(sql_params)


class _Ranking:
    """The relevance order of a match: the database ranks by score (ties by id) and
    returns the first `limit` entries; within the first CANDIDATE_LIMIT, entries whose
    name answers the query come first (name_match_tiers) and, when only some words
    matched, entries with more and rarer words. Past them the order is the score's, so
    every page is a slice of one fixed order and each entry is on exactly one page."""

    def __init__(self, query: ParsedQuery, worst_first: bool, *, limit: int):
        self.query, self.worst_first, self.limit = query, worst_first, limit

    def order(
        self,
        rows: list[tuple[int, float, str, int, int]],
        rarity: tuple[int, list[int]] | None = None,
    ) -> tuple[list[int], int]:
        """(ids in order, how many entries match in all) from match rows, or match_some
        rows and their word counts."""
        if not rows:
            return [], 0
        total = rows[0][4]
        head = rows[:CANDIDATE_LIMIT]
        priority = _word_priority(head, *rarity) if rarity else {}
        tiers = name_match_tiers(self.query, {pk: name for pk, _, name, *_ in head})
        sign = 1 if self.worst_first else -1
        scores = {pk: score for pk, score, *_ in head}
        head_ids = sorted(
            (pk for pk, *_ in head),
            key=lambda pk: (
                tuple(sign * p for p in priority.get(pk, ())),
                sign * tiers[pk],
                sign * scores[pk],
                -sign * pk,
            ),
        )
        return head_ids + [pk for pk, *_ in rows[CANDIDATE_LIMIT:]], total


# Sent after each search with how long it took (`seconds`) and how q matched (`match`:
# "all", "some", or "" without q): catalog.metrics counts them.
searched = Signal()


def _timed(search: Callable[..., SearchResult]) -> Callable[..., SearchResult]:
    """`search`, sending `searched` with its time and how q matched once it is done."""

    @functools.wraps(search)
    def timed(params: QueryDict, user: User | AnonymousUser, **options) -> SearchResult:
        started = time.perf_counter()
        result = search(params, user, **options)
        match = result.interpretation.match if result.interpretation else ""
        searched.send(run_search, seconds=time.perf_counter() - started, match=match)
        return result

    return timed


@_timed
def run_search(
    params: QueryDict,
    user: User | AnonymousUser,
    *,
    facets: Iterable[str] | None = None,
    load: Callable[[list[int]], list] = load_artifacts,
    correct: bool = True,
    filterset_class: type[ArtifactFilterSet] = ArtifactFilterSet,
) -> SearchResult:
    """Search the catalog as `user` may see it; see the module docstring for the contract.

    `load` turns the page's artifact ids into what the caller shows; the API passes one
    that reads the entries' cards from their search documents (`result_cards`). With
    `correct`, a q that matches nothing is searched once more with its typos corrected,
    if that finds some.
    `filterset_class` may add filters a protocol speaks (a subclass of
    ArtifactFilterSet, e.g. CKAN's resource formats); they run as any other filter.

    The steps: parse (every parameter validated), the page's ids (ranked by the match,
    or in a column's order), a corrected q when q matched poorly, the page, the facets.
    """
    parsed = _parse(params, user, facets, filterset_class)
    if isinstance(parsed, SearchResult):
        return parsed  # what is wrong with the parameters; nothing was searched
    search, result = parsed
    page_ids = _ranked_ids(search, result) if search.relevance else _ordered_ids(search, result)
    if correct:
        corrected = _corrected(search, result, load)
        if corrected is not None:
            return corrected
    if page_ids:
        result.artifacts = load(page_ids)
    if result.page > result.num_pages:
        result.errors = {
            "page": [f"There is no page {result.page}; the last page is {result.num_pages}."]
        }
        result.page_not_found = True
        result.artifacts = []
        return result
    counts = facet_counts(
        search.facet_names,
        search.filtered,
        active=search.filterset.active,
        narrowed=search.restrict is not None,
    )
    for name, rows in counts.items():
        selected = [str(v) for v in search.params.getlist(name)]
        result.facets[name] = facet_values(name, rows, selected)
    return result


@dataclass
class _Search:
    """One search, its parameters validated: what its steps share."""

    user: User | AnonymousUser
    given: QueryDict  # the parameters as the caller gave them
    params: QueryDict  # with the kinds q's words asked for as `kind`
    text: str  # q as typed
    query: ParsedQuery  # what is matched, common and kind words read
    filterset: ArtifactFilterSet
    base: QuerySet[Artifact]  # what the user may see in the statuses asked for
    statuses: list[str]  # those statuses: only entries in them are ranked
    facet_names: list[str]
    filterset_class: type[ArtifactFilterSet]
    relevance: bool  # ranked by the match, else in a column's order
    keyset: Keyset | None  # that column order's keyset, for cursors
    position: object = None  # where a cursor left off
    engine: backends.SearchEngine = field(default_factory=backends.current)
    # What q does to any set of entries; None when q restricts nothing.
    restrict: Callable[[QuerySet[Artifact]], QuerySet[Artifact]] | None = None

    def filtered(self, without: str | None = None) -> QuerySet[Artifact]:
        """What the filters (all, or all but `without`) and q leave of the entries the
        user may see."""
        artifacts = self.filterset.filter_queryset(self.base, without=without)
        return artifacts if self.restrict is None else self.restrict(artifacts)

    def restrict_to(self, sql: str, sql_params: list) -> None:
        """From now on, q keeps the entries whose ids this subquery selects."""

        def restrict(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
            return artifacts.filter(pk__in=RawSQL(sql, sql_params))  # noqa: S611 (parameters)

        self.restrict = restrict


def _parse(
    params: QueryDict,
    user: User | AnonymousUser,
    facets: Iterable[str] | None,
    filterset_class: type[ArtifactFilterSet],
) -> tuple[_Search, SearchResult] | SearchResult:
    """The search the parameters ask for, and its result so far; or a result naming
    every bad parameter."""
    form = SearchForm(params)
    if not form.is_valid():
        # The filters are validated too, so that every bad parameter is named at once.
        filterset = filterset_class(params, queryset=Artifact.objects.none())
        filterset.is_valid()
        return SearchResult(errors=_errors(form, filterset.form))

    parsed: ParsedQuery = form.cleaned_data["q"]
    kind_given = any(params.getlist("kind"))
    reading = read_query(parsed, kind_given=kind_given)
    given = params
    if reading.kinds:
        params = params.copy()
        params.setlist("kind", list(reading.kinds))
    statuses = [s for s in params.getlist("status") if s]
    base = Artifact.objects.visible_to(user) if statuses else Artifact.objects.published()
    filterset = filterset_class(params, queryset=base)
    errors = {} if filterset.is_valid() else _errors(filterset.form)
    hidden = sorted({s for s in statuses if s not in PUBLIC_STATUSES})
    if hidden and not user.is_authenticated and "status" not in errors:
        labels = [str(ArtifactStatus(s).label).lower() for s in hidden if s in ArtifactStatus]
        errors["status"] = [MEMBERS_ONLY_STATUS % {"statuses": " or ".join(labels)}]
    if reading.only_common_words:
        words = ", ".join(reading.ignored)
        errors.setdefault("q", []).append(
            ONLY_COMMON_WORDS % {"q": form.cleaned_data["q_text"], "words": words}
        )
    if errors:
        return SearchResult(errors=errors)

    query = reading.query
    facet_names = list(form.cleaned_data["facets"] or [] if facets is None else facets)
    for name in facet_names:
        if name not in FACETS:
            raise ValueError(f"Unknown facet {name!r}; facets are {', '.join(FACETS)}.")
    ordering = form.cleaned_data["ordering"] or ("relevance" if query.clauses else "name")
    result = SearchResult(
        page=form.cleaned_data["page"] or 1,
        page_size=form.cleaned_data["page_size"] or DEFAULT_PAGE_SIZE,
        ordering=ordering,
        query=query,
    )
    if not parsed.is_empty:
        result.interpretation = Interpretation(
            kinds=reading.kinds, kind_words=reading.kind_words, ignored=reading.ignored
        )
    relevance = bool(query.clauses) and ordering.lstrip("-") == "relevance"
    search = _Search(
        user=user,
        given=given,
        params=params,
        text=form.cleaned_data["q_text"],
        query=query,
        filterset=filterset,
        base=base,
        # (Any `status` values were validated with the other filters above.)
        statuses=statuses or [str(s) for s in PUBLIC_STATUSES],
        facet_names=facet_names,
        filterset_class=filterset_class,
        relevance=relevance,
        keyset=None if relevance else Keyset.for_ordering(ordering),
    )
    if query.clauses:
        search.restrict_to(*search.engine.query_sql(query))
    elif query.excluded:
        sql, sql_params = search.engine.matching_sql(query.excluded)

        def restrict(artifacts: QuerySet[Artifact]) -> QuerySet[Artifact]:
            return artifacts.exclude(pk__in=RawSQL(sql, sql_params))  # noqa: S611 (parameters)

        search.restrict = restrict

    if form.cleaned_data["cursor"]:
        try:
            if search.keyset is None:
                raise BadCursor(
                    "Cursors page the orderings name, released, updated and parameters; "
                    "use page numbers for relevance."
                )
            if form.cleaned_data["page"]:
                raise BadCursor("Give a cursor or a page, not both.")
            search.position = search.keyset.decode(form.cleaned_data["cursor"])
        except BadCursor as error:
            return SearchResult(errors={"cursor": [str(error)]})
        result.page = search.position.page
    return search, result


def _ranked_ids(search: _Search, result: SearchResult) -> list[int]:
    """The page's ids in relevance order; sets the count.

    The filters run inside the match statement, so it ranks only what passes them; the
    count, when the ranked prefix is full, counts every match that passes."""
    query, ordering = search.query, result.ordering
    start = (result.page - 1) * result.page_size
    filters = search.filterset
    within = _ids_sql(filters.filter_queryset(search.base)) if filters.active else None
    ranking = _Ranking(
        query, ordering.startswith("-"), limit=max(CANDIDATE_LIMIT, start + result.page_size)
    )
    rows = search.engine.match(
        query, ranking.limit, search.statuses, within=within, worst_first=ranking.worst_first
    )
    ids, result.count = ranking.order([(*row, 0, len(rows)) for row in rows])
    if len(rows) == ranking.limit:
        # There may be more: count them all (a count needs no score, so it is cheap).
        result.count = search.filtered().count()
    if not ids and len(query.clauses) > 1:
        # Not every word can match: rank the entries by how many of them they hold.
        rows, rarity = search.engine.match_some(
            query, ranking.limit, search.statuses, within=within, worst_first=ranking.worst_first
        )
        ids, result.count = ranking.order(rows, rarity)
        if ids:
            result.interpretation.match = "some"
            search.restrict_to(*search.engine.some_sql(query))
    return ids[start : start + result.page_size]


def _ordered_ids(search: _Search, result: SearchResult) -> list[int]:
    """The page's ids in the order of a column (by cursor: after the last entry seen,
    at the cost of the first page); sets the count and the next page's cursor."""
    artifacts = search.filtered()
    if search.restrict is None and not search.filterset.active:
        # Nothing narrows the published catalog: its count is the same for everyone.
        result.count = cached("count", artifacts.count)
    else:
        result.count = artifacts.count()
    if not result.count and len(search.query.clauses) > 1:
        search.restrict_to(*search.engine.some_sql(search.query))
        artifacts = search.filtered()
        result.count = artifacts.count()
        if result.count:
            result.interpretation.match = "some"
    position, keyset = search.position, search.keyset
    if position:
        result.page = min(result.page, result.num_pages)
    if result.page > result.num_pages:
        return []
    start = (result.page - 1) * result.page_size
    ordered = _order(artifacts, result.ordering)
    if keyset is None:
        return list(ordered.values_list("pk", flat=True)[start : start + result.page_size])
    ordered = ordered.annotate(sort_name=Lower("name"))
    if position:
        ordered = ordered.filter(keyset.after(position.values))
        start = 0
    rows = list(ordered.values_list("pk", *keyset.fields)[start:][: result.page_size])
    if rows and result.has_next:
        result.next_cursor = keyset.cursor(rows[-1][1:], page=result.page + 1)
    return [row[0] for row in rows]


def _corrected(
    search: _Search, result: SearchResult, load: Callable[[list[int]], list]
) -> SearchResult | None:
    """The search of q with its typos corrected, when q found nothing, or only some of
    its words while the corrected words all match ("graniet code" -> Granite Code
    Models); else None, with the correction offered in `result.interpretation`."""
    query = search.query
    if not query.clauses or not (result.count == 0 or result.interpretation.match == "some"):
        return None
    suggestion = _did_you_mean(search.text, query)
    if not suggestion:
        return None
    corrected_params = search.given.copy()
    corrected_params["q"] = suggestion
    options = {"correct": False, "filterset_class": search.filterset_class}
    # A probe first: its matches only (its "page" is the ids, nothing loaded); timed as
    # part of this search.
    retry = run_search.__wrapped__(corrected_params, search.user, facets=[], load=list, **options)
    if retry.count and (result.count == 0 or retry.interpretation.match == "all"):
        if search.facet_names:
            retry = run_search.__wrapped__(
                corrected_params, search.user, facets=search.facet_names, load=load, **options
            )
        elif retry.artifacts:
            retry.artifacts = load(retry.artifacts)
        retry.interpretation.did_you_mean = suggestion
        retry.interpretation.corrected = True
        return retry
    if result.count == 0 and not search.filterset.active:
        suggestion = ""  # the word is stale: no entry holds it any more
    # With filters it is still offered: dropping one may be what finds it.
    result.interpretation.did_you_mean = suggestion
    return None


def _word_priority(
    rows: list[tuple[int, float, str, int, int]], everywhere: int, holding: list[int]
) -> dict[int, tuple]:
    """(how many words, how rare they are) for each entry matching some of the words:
    an entry with a rare word comes before one with a word nearly every entry has.
    `everywhere` entries match some word, `holding[i]` of them word i."""
    rarity = [math.log((everywhere + 1) / n) if n else 0.0 for n in holding]
    return {
        pk: (
            bin(mask).count("1"),
            round(sum(r for i, r in enumerate(rarity) if mask >> i & 1), 6),
        )
        for pk, _, _, mask, _ in rows
    }


def _did_you_mean(text: str, query: ParsedQuery) -> str:
    """`text` with each word the index does not hold replaced by the closest one it does."""
    words = [t.text for clause in query.clauses for t in clause if not t.phrase]
    fixes = vocabulary.corrections(words)
    if not fixes:
        return ""
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in fixes) + r")\b", re.IGNORECASE)
    return pattern.sub(lambda m: fixes[m.group(0).lower()], text)
