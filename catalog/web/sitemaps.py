"""The sitemap (django.contrib.sitemaps) and robots.txt, so that search engines and Google
Dataset Search find every page worth finding: the home and search pages, the member
directory and each member, and every published entry with when it last changed.

`/sitemap.xml` is Django's sitemap index; each section (`/sitemap-entries.xml`, ...)
is paged by Django at 50,000 addresses (`?p=2`), and the index lists every page. Drafts,
entries in review and withdrawn entries are never listed: only `published()`.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from catalog.models import Artifact, Organization


class PageSitemap(Sitemap):
    """The pages that are not about one thing: home, search, the member directory."""

    def items(self) -> list[str]:
        return ["web:home", "web:search", "web:organizations"]

    def location(self, item: str) -> str:
        return reverse(item)


class OrganizationSitemap(Sitemap):
    def items(self):
        return Organization.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, organization: Organization):
        return organization.updated_at

    def get_latest_lastmod(self):
        return Organization.objects.aggregate(latest=Max("updated_at"))["latest"]


class EntrySitemap(Sitemap):
    """Every published entry (deprecated ones too: their page still answers)."""

    def items(self):
        return Artifact.objects.published().only("namespace", "slug", "updated_at").order_by("pk")

    def lastmod(self, artifact: Artifact):
        return artifact.updated_at

    def get_latest_lastmod(self):
        # One aggregate, not the default walk over every entry.
        return Artifact.objects.published().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {
    "pages": PageSitemap,
    "organizations": OrganizationSitemap,
    "entries": EntrySitemap,
}


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be crawled but the admin; the sitemap says where it is."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
