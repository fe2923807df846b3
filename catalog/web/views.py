"""Public pages. Listings show `published()` entries (a signed-in member's search may add
their own organizations' entries with `status=`); an artifact page also shows a deprecated
entry with a notice and a withdrawn one as a tombstone. Drafts are a 404.

Each view fetches what its template needs in a fixed number of queries (tested in
tests/test_web_search.py and tests/test_web_directory.py), whatever the number of related
rows.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from catalog.lineage import lineage_graph
from catalog.models import (
    Artifact,
    ArtifactKind,
    ArtifactStatus,
    Component,
    Contribution,
    ContributionRole,
    OpennessClass,
    Organization,
)
from catalog.openness import (
    CLASS_I,
    CLASS_II,
    CLASS_III,
    RELEASE,
    OpennessAssessment,
    assess_artifact,
)
from catalog.search.query import run_search, with_result_relations
from catalog.web import search_page
from catalog.web.contribution_chart import contribution_chart_svg, contributions_by_year
from catalog.web.license_answers import summarize_license
from catalog.web.lineage_picture import add_shared_sources, lineage_lists, lineage_svg
from catalog.web.markdown import render_markdown
from catalog.web.presentation import (
    kind_plural,
    license_phrase,
    parameter_count,
    result_cards,
    unverified_claims,
)
from catalog.web.structured_data import artifact_json_ld, json_ld_script
from catalog.web.throttled import refuse_if_throttled

NEWEST_COUNT = 6
LINEAGE_DEPTH = 3
OPENNESS_LEVELS = ("III", "II", "I")


def home(request):
    published = Artifact.objects.published()
    counts = published.aggregate(
        total=Count("pk"),
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in ArtifactKind},
    )
    newest = result_cards(
        list(
            published.order_by(F("released_on").desc(nulls_last=True), "name").values_list(
                "pk", flat=True
            )[:NEWEST_COUNT]
        )
    )
    members = Organization.objects.annotate(
        published_count=Count("contributions", filter=Q(contributions__artifact__in=published))
    ).order_by(Lower("name"), "slug")
    return render(
        request,
        "web/home.html",
        {
            "counts": counts,
            "kind_counts": [(kind, counts[kind.value]) for kind in ArtifactKind],
            "newest": newest,
            "members": members,
        },
    )


def search(request):
    """Results of `run_search` with facets, sorting and pages; the URL holds the whole state.

    Searches count in the pages' own bucket (CATALOG_PAGE_RATE), apart from the API's,
    so a script using the API never locks its owner's browser out of search.
    """
    if refused := refuse_if_throttled(request):
        return refused
    params = request.GET
    result = run_search(params, request.user, facets=search_page.page_facets(), load=result_cards)
    query_text = params.get("q", "").strip()
    status = 200
    if result.page_not_found:
        status = 404
    elif result.errors:
        status = 400
    filters = search_page.active_filters(result, params) if not result.errors else []
    context = {
        "result": result,
        "results": result.artifacts,
        "q": query_text,
        "errors": [
            (search_page.ERROR_LABELS.get(name, name.replace("_", " ").capitalize()), message)
            for name, messages in result.errors.items()
            for message in messages
        ],
        "reading": search_page.reading(result, params),
        "facet_groups": search_page.facet_groups(result, params) if not result.errors else [],
        "active_filters": filters,
        "clear_filters_url": search_page.link(params, **dict.fromkeys(search_page.FILTER_LABELS)),
        "sort_choices": search_page.SORT_CHOICES,
        "ordering": result.ordering,
        "hidden_params": [
            (key, value)
            for key, values in params.lists()
            if key not in {"ordering", "page"}
            for value in values
        ],
        "pages": search_page.pages(result, params) if result.num_pages > 1 else [],
        "previous_url": search_page.link(params, page=str(result.page - 1)),
        "next_url": search_page.link(params, page=str(result.page + 1)),
        "last_page_url": search_page.link(params, page=str(result.num_pages)),
        "first_page_url": search_page.link(params),
    }
    return render(request, "web/search.html", context, status=status)


def artifact_detail(request, namespace: str, slug: str):
    artifacts = with_result_relations(Artifact.objects.with_tombstones()).prefetch_related(
        "sources", "openness_components"
    )
    artifact = get_object_or_404(artifacts, namespace=namespace, slug=slug)
    context = {
        "artifact": artifact,
        "withdrawn": artifact.status == ArtifactStatus.WITHDRAWN,
        "deprecated": artifact.status == ArtifactStatus.DEPRECATED,
        "api_url": reverse("api:artifact-detail", kwargs={"namespace": namespace, "slug": slug}),
        "page_url": request.build_absolute_uri(artifact.get_absolute_url()),
    }
    if context["withdrawn"]:
        # A tombstone: who made it and why it is gone, nothing that invites use.
        context["contributions"] = artifact.contributions_lead_first()
        return render(request, "web/artifact_withdrawn.html", context, status=410)

    published = Artifact.objects.published()
    graph = lineage_graph(artifact, depth=LINEAGE_DEPTH, artifacts=published)
    add_shared_sources(graph, published)
    urls = {
        node_id: node["artifact"].get_absolute_url()
        for node_id, node in graph.nodes.items()
        if node["artifact"] is not None
    }
    upstream, downstream = lineage_lists(graph)
    openness = assess_artifact(artifact) if artifact.kind == ArtifactKind.MODEL else None
    license = summarize_license(artifact.license_expression, artifact.licenses.all())
    upstream_urls = [
        request.build_absolute_uri(item["node"]["artifact"].get_absolute_url())
        if item["node"]["artifact"] is not None
        else item["node"]["url"]
        for item in upstream
        if item["node"]["artifact"] is not None or item["node"]["url"]
    ]
    context.update(
        {
            "contributions": artifact.contributions_lead_first(),
            "license": license,
            "license_phrase": license_phrase(license),
            "description_html": render_markdown(artifact.description),
            "kind_plural": kind_plural(artifact.kind),
            "huggingface_url": artifact.huggingface_url,
            "variants": [
                {
                    "name": variant.name,
                    "parameters": ""
                    if parameter_count(variant.parameters) == variant.name
                    else parameter_count(variant.parameters),
                    "active": parameter_count(variant.active_parameters),
                }
                for variant in artifact.variants.all()
            ],
            "openness": openness,
            "openness_checklist": openness_checklist(artifact, openness) if openness else [],
            "openness_recorded": bool(artifact.openness_components.all()),
            "openness_missing": [Component(c).label for c in openness.missing_for_next]
            if openness
            else [],
            "openness_next_label": OpennessClass(openness.next_class).label
            if openness and openness.next_class
            else "",
            "lineage_svg": lineage_svg(graph, urls),
            "lineage_upstream": upstream,
            "lineage_downstream": downstream,
            "lineage_urls": urls,
            "unverified": unverified_claims(artifact.unverified),
            "json_ld": json_ld_script(
                artifact_json_ld(
                    artifact,
                    page_url=context["page_url"],
                    upstream_urls=upstream_urls,
                    catalog_url=request.build_absolute_uri(reverse("web:home")),
                )
            ),
        }
    )
    return render(request, "web/artifact.html", context)


def openness_checklist(artifact: Artifact, assessment: OpennessAssessment) -> list[dict]:
    """Every Model Openness Framework component, grouped by the class that needs it."""
    recorded = {c.component: c for c in artifact.openness_components.all()}
    groups = []
    previous: tuple = ()
    for label, required in (
        ("Class III: Open Model", CLASS_III),
        ("Class II: Open Tooling adds", CLASS_II),
        ("Class I: Open Science adds", CLASS_I),
    ):
        items = []
        for component in required:
            if component in previous:
                continue
            row = recorded.get(component)
            applied = assessment.license_of(component)
            if component in assessment.counted:
                state = "counted"
            elif component in assessment.satisfied:
                state = "stood-in"  # the technical report, when the paper counts
            elif row is not None and row.included:
                state = "not-open"  # released, but not under an open license
            else:
                state = "missing"
            items.append(
                {
                    "label": Component(component).label,
                    "state": state,
                    "license": applied.expression,
                    "from_release": applied.source == RELEASE,
                    "unlicensed": row is not None and row.unlicensed,
                    "location": row.location if row else "",
                }
            )
        groups.append({"label": label, "items": items})
        previous = required
    return groups


def organization_detail(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    contributions = list(
        Contribution.objects.filter(
            organization=organization, artifact__in=Artifact.objects.published()
        )
        .select_related("artifact")
        .order_by(F("artifact__released_on").desc(nulls_last=True), Lower("artifact__name"))
    )
    by_kind = []
    for kind in ArtifactKind:
        entries = [c for c in contributions if c.artifact.kind == kind]
        if entries:
            by_kind.append({"kind": kind, "label": f"{kind.label}s", "contributions": entries})
    rows, undated = contributions_by_year([c.artifact for c in contributions])
    return render(
        request,
        "web/organization.html",
        {
            "organization": organization,
            "contribution_count": len(contributions),
            "lead_count": sum(c.role == ContributionRole.LEAD for c in contributions),
            "by_kind": by_kind,
            "chart_svg": contribution_chart_svg(rows),
            "chart_rows": rows,
            "undated": undated,
            "kinds": list(ArtifactKind),
            "unverified": unverified_claims(organization.unverified),
            "description_html": render_markdown(organization.description),
            "api_url": reverse("api:organization-detail", kwargs={"slug": slug}),
        },
    )
