from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from catalog.health import healthz, readyz
from catalog.metrics import metrics
from catalog.protocols import dcat
from catalog.protocols.croissant import CroissantView
from catalog.web.sitemaps import SITEMAPS, robots_txt

# Errors no view handled: a 503 with Retry-After while the database is unreachable.
handler500 = "catalog.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("catalog.api.urls", namespace="api")),
    # Croissant beside the entry in the API, but wired here so the API package never
    # imports the protocols (which build on it). No trailing slash: the address given
    # to Croissant readers.
    path(
        "api/v1/artifacts/<str:namespace>/<str:slug>/croissant",
        CroissantView.as_view(),
        name="artifact-croissant",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    # The Hugging Face Hub's read API: /api/models, /api/datasets (no trailing slash).
    path("", include("catalog.protocols.huggingface_urls", namespace="huggingface")),
    # DCAT-AP 3 for data portals: the catalog, and each entry beside its page.
    re_path(r"^catalog\.(?P<fmt>ttl|jsonld)$", dcat.catalog_view, name="dcat-catalog"),
    re_path(
        r"^artifacts/(?P<namespace>[^/]+)/(?P<slug>[^/]+)\.(?P<fmt>ttl|jsonld)$",
        dcat.entry_view,
        name="dcat-entry",
    ),
    # For search engines: an index of sitemaps, each paged by Django past 50,000 addresses.
    path(
        "sitemap.xml",
        sitemaps.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots-txt"),
    # CKAN's action API: /api/action/<name>, /api/3/action/<name> (catalog.protocols.ckan).
    path("", include("catalog.protocols.ckan")),
    path("", include("catalog.web.urls", namespace="web")),
]
