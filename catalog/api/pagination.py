"""Paging for search results: absolute next/previous links, in the body and in `Link`.

`next` is a cursor link where the ordering has a keyset (catalog.search.cursor), so
walking a whole result costs the same on every page; the others are page numbers."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from catalog.search.query import SearchResult


def page_url(url: str, page: int) -> str:
    """`url` (this request's absolute URL) for another page."""
    url = remove_query_param(url, "cursor")
    if page == 1:
        return remove_query_param(url, "page")
    return replace_query_param(url, "page", page)


def _next_url(url: str, result: SearchResult) -> str | None:
    if not result.has_next:
        return None
    if result.next_cursor:
        return replace_query_param(remove_query_param(url, "page"), "cursor", result.next_cursor)
    return page_url(url, result.page + 1)


def links(request: Request, result: SearchResult) -> dict[str, str | None]:
    url = request.build_absolute_uri()
    return {
        "first": page_url(url, 1),
        "previous": page_url(url, result.page - 1) if result.has_previous else None,
        "next": _next_url(url, result),
        "last": page_url(url, result.num_pages),
    }


def paginated_response(request: Request, result: SearchResult, results: list, **extra) -> Response:
    """The page, with `count`, `next` and `previous`, and RFC 8288 `Link` header."""
    urls = links(request, result)
    body = {
        "count": result.count,
        "page": result.page,
        "page_size": result.page_size,
        "num_pages": result.num_pages,
        "next": urls["next"],
        "previous": urls["previous"],
        "results": results,
        **extra,
    }
    rels = {"first": "first", "previous": "prev", "next": "next", "last": "last"}
    header = ", ".join(f'<{urls[name]}>; rel="{rel}"' for name, rel in rels.items() if urls[name])
    return Response(body, headers={"Link": header})
