"""Descriptions are Markdown written by members: render them, then keep only safe HTML.

Markdown passes raw HTML through, so the output is cleaned by nh3 (the Rust ammonia
sanitizer): scripts, styles, event handlers and `javascript:` links are removed, and
links get `rel="nofollow noopener noreferrer"`.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Headings in a description start at h3: the page already has its h1 and h2.
HEADING_SHIFT = 2


def render_markdown(text: str) -> SafeString:
    """Markdown to HTML that is safe to put in a page as it is."""
    if not text:
        return mark_safe("")
    html = markdown_lib.markdown(
        text,
        extensions=["tables", "fenced_code", "sane_lists", "def_list"],
        output_format="html",
    )
    html = _shift_headings(html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 just above


def _shift_headings(html: str) -> str:
    for level in range(6, 0, -1):
        shifted = min(level + HEADING_SHIFT, 6)
        html = html.replace(f"<h{level}", f"<h{shifted}").replace(f"</h{level}>", f"</h{shifted}>")
    return html
