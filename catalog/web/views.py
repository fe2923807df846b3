"""Public pages. Only what `Artifact.objects.published()` allows is listed."""

from django.shortcuts import get_object_or_404, render

from catalog.models import Artifact, Organization


def home(request):
    newest = Artifact.objects.published().order_by("-published_at", "-id")[:8]
    return render(request, "web/home.html", {"newest": newest})


def search(request):
    results = Artifact.objects.published()[:20]
    return render(request, "web/search.html", {"results": results})


def artifact_detail(request, namespace: str, slug: str):
    artifact = get_object_or_404(
        Artifact.objects.with_tombstones(), namespace=namespace, slug=slug
    )
    return render(request, "web/artifact.html", {"artifact": artifact})


def organization_detail(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    return render(request, "web/organization.html", {"organization": organization})
