"""The site's URLs plus the benchmarks' framework baseline (never in the site itself)."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance_site.urls import urlpatterns as site_urlpatterns

BASELINE_URL = "/bench/framework-baseline/"


class FrameworkBaseline(APIView):
    """What a request costs with no search and no database work: the site's middleware,
    DRF's authentication, throttling and content negotiation, and the JSON rendering of
    `body` (set to a real search response, so that rendering costs the same)."""

    body: dict = {}

    def get(self, request):
        return Response(self.body)


urlpatterns = [
    path(BASELINE_URL.strip("/") + "/", FrameworkBaseline.as_view()),
    *site_urlpatterns,
]
