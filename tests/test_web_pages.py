"""The public pages: visibility, sanitized Markdown, plain-words licenses, structured data,
error pages and bounded query counts."""

import html
import json
import re

import pytest
from django.urls import reverse

from catalog.models import (
    ArtifactKind,
    ArtifactStatus,
    Component,
    License,
    ModelVariant,
    OpennessComponent,
    Relation,
    RelationType,
    Source,
    Task,
)
from catalog.web.lineage_picture import NODE_HEIGHT, NODE_WIDTH
from catalog.web.markdown import render_markdown
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db


def artifact_url(artifact):
    return reverse("web:artifact", kwargs={"namespace": artifact.namespace, "slug": artifact.slug})


# --- Visibility --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected_code", "expected_text"),
    [
        (ArtifactStatus.PUBLISHED, 200, "May I use it?"),
        (ArtifactStatus.DEPRECATED, 200, "Deprecated."),
        (ArtifactStatus.WITHDRAWN, 410, "This entry was withdrawn"),
        (ArtifactStatus.DRAFT, 404, "We could not find that page"),
        (ArtifactStatus.IN_REVIEW, 404, "We could not find that page"),
    ],
)
def test_artifact_page_by_status(client, status, expected_code, expected_text):
    artifact = make_artifact(status=status, withdrawn_reason="Superseded by v2; weights removed.")
    response = client.get(artifact_url(artifact))
    assert response.status_code == expected_code
    assert expected_text in response.content.decode()


def test_withdrawn_page_gives_the_public_reason_and_no_links_to_use_it(client):
    artifact = make_artifact(
        status=ArtifactStatus.WITHDRAWN,
        withdrawn_reason="Trained on data its makers had no right to use.",
        repository_url="https://example.org/repo",
    )
    body = client.get(artifact_url(artifact)).content.decode()
    assert "Trained on data its makers had no right to use." in body
    assert "https://example.org/repo" not in body


@pytest.mark.parametrize("page", ["home", "search", "organization"])
@pytest.mark.parametrize(
    ("status", "listed"),
    [
        (ArtifactStatus.PUBLISHED, True),
        (ArtifactStatus.DEPRECATED, True),
        (ArtifactStatus.WITHDRAWN, False),
        (ArtifactStatus.DRAFT, False),
        (ArtifactStatus.IN_REVIEW, False),
    ],
)
def test_listings_show_only_public_entries(client, page, status, listed):
    organization = make_organization("acme", name="Acme")
    make_artifact("quokka-7b", name="Quokka 7B", lead=organization, status=status)
    url = {
        "home": reverse("web:home"),
        "search": reverse("web:search"),
        "organization": organization.get_absolute_url(),
    }[page]
    assert ("Quokka 7B" in client.get(url).content.decode()) is listed


def test_unknown_organization_is_404(client):
    assert client.get(reverse("web:organization", kwargs={"slug": "nobody"})).status_code == 404


# --- Markdown ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "forbidden", "kept"),
    [
        ("Hi <script>alert(1)</script>", "<script", "Hi"),
        ("[click](javascript:alert(1))", "javascript:", "click"),
        ("<img src=x onerror=alert(1)>", "onerror", ""),
        ('<a href="https://x.org" onclick="steal()">x</a>', "onclick", 'href="https://x.org"'),
        ("<iframe src=https://evil.example></iframe>", "<iframe", ""),
        ("<style>body{display:none}</style>text", "<style", "text"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:text", "data"),
        ("**bold** and `code`", "<script", "<strong>bold</strong>"),
        ("# Heading", "<h1", "<h3>Heading</h3>"),
    ],
)
def test_markdown_is_sanitized(markdown, forbidden, kept):
    html = str(render_markdown(markdown))
    assert forbidden not in html
    assert kept in html


def test_script_in_a_description_is_not_on_the_page(client):
    artifact = make_artifact(description="Fine model.\n\n<script>alert('x')</script>")
    body = client.get(artifact_url(artifact)).content.decode()
    assert "alert('x')" not in body
    assert "<p>Fine model.</p>" in body


# --- License in plain words --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "answers"),
    [
        ("MIT", ["Allowed", "No", "Yes: credit the makers", "None"]),
        ("CC-BY-SA-4.0", ["Allowed", "Yes: derived works", "Yes: credit the makers", "None"]),
        (
            "LicenseRef-scancode-llama-2-license-2023",
            ["Allowed", "No", "Yes: credit the makers", "Yes: some uses are forbidden"],
        ),
        # Under AND both licenses apply: the stricter answer wins.
        (
            "Apache-2.0 AND LicenseRef-alliance-microsoft-research-license",
            ["Not allowed", "Yes: derived works", "Yes: credit the makers", "None"],
        ),
        # Under OR the user chooses: the more generous answer is available.
        (
            "MIT OR LicenseRef-alliance-microsoft-research-license",
            ["Allowed", "No", "Yes: credit the makers", "None"],
        ),
    ],
)
def test_license_answers(client, expression, answers):
    from catalog.licenses import sync_fixture_licenses

    sync_fixture_licenses()
    artifact = make_artifact(license=expression)
    body = client.get(artifact_url(artifact)).content.decode()
    shown = re.findall(r"<dd>([^<]*)</dd></div>", body)
    assert len(shown) == 4
    for words, expected in zip(shown, answers, strict=True):
        assert words.startswith(expected), (words, expected)


def test_unknown_license_flags_say_so(client):
    License.objects.create(key="LicenseRef-odd", name="Odd", category="Unstated License")
    artifact = make_artifact()
    artifact.license_expression = "LicenseRef-odd"
    artifact.save()
    artifact.licenses.set(License.objects.filter(key="LicenseRef-odd"))
    body = client.get(artifact_url(artifact)).content.decode()
    assert body.count("Depends or unknown: read the license") == 4


def test_no_license_is_not_presented_as_permission(client):
    body = client.get(artifact_url(make_artifact())).content.decode()
    assert "No license is recorded" in body


# --- Unverified claims -------------------------------------------------------------------


def test_unverified_claims_are_labelled(client):
    organization = make_organization(unverified={"country": "Atlantis"})
    artifact = make_artifact(lead=organization, unverified={"released": "2031-01"})
    body = client.get(artifact_url(artifact)).content.decode()
    assert "Reported as 2031-01; not yet confirmed from its source." in body
    assert "Released</dt>\n        <dd>Not recorded" in body
    body = client.get(organization.get_absolute_url()).content.decode()
    assert "Reported as Atlantis; not yet confirmed from its source." in body
    assert "unverified claim" not in body


# --- Openness ----------------------------------------------------------------------------


def test_openness_checklist_and_what_is_missing(client):
    artifact = make_artifact(kind=ArtifactKind.MODEL)
    for component in [
        Component.MODEL_ARCHITECTURE,
        Component.FINAL_PARAMETERS,
        Component.MODEL_CARD,
        Component.DATA_CARD,
        Component.TECHNICAL_REPORT,
    ]:
        OpennessComponent.objects.create(
            artifact=artifact, component=component, license_expression="Apache-2.0"
        )
    OpennessComponent.objects.create(
        artifact=artifact, component=Component.EVALUATION_RESULTS, license_expression=""
    )
    body = client.get(artifact_url(artifact)).content.decode()
    assert "Not yet classified" in body
    assert "To reach Class III: Open Model it still needs: Evaluation results." in body
    assert body.count('class="check-counted"') == 5
    assert body.count('class="check-not-open"') == 1


def test_datasets_have_no_openness_section(client):
    body = client.get(artifact_url(make_artifact(kind=ArtifactKind.DATASET))).content.decode()
    assert "How open is it?" not in body


# --- Lineage -----------------------------------------------------------------------------


def test_lineage_links_both_ways_and_hides_drafts(client):
    base = make_artifact("base", name="Base Model")
    tuned = make_artifact("tuned", name="Tuned Model")
    draft = make_artifact("secret", name="Secret Draft", status=ArtifactStatus.DRAFT)
    Relation.objects.create(source=tuned, target=base, relation_type=RelationType.FINE_TUNED_FROM)
    Relation.objects.create(source=draft, target=base, relation_type=RelationType.FINE_TUNED_FROM)
    Relation.objects.create(
        source=base,
        relation_type=RelationType.TRAINED_ON,
        external_name="The Pile",
        external_kind=ArtifactKind.DATASET,
    )
    body = client.get(artifact_url(base)).content.decode()
    assert f'href="{artifact_url(tuned)}"' in body
    assert "fine-tuned into" in body
    assert "The Pile" in body
    assert "not in the catalog" in body
    assert "Secret Draft" not in body
    assert '<svg class="lineage-picture"' in body


def test_entries_sharing_an_external_source_link_to_each_other(client):
    model = make_artifact("prithvi", name="Prithvi")
    dataset = make_artifact("burn-scars", name="Burn Scars", kind=ArtifactKind.DATASET)
    for source, relation_type in [
        (model, RelationType.TRAINED_ON),
        (dataset, RelationType.DERIVED_FROM),
    ]:
        Relation.objects.create(
            source=source,
            relation_type=relation_type,
            external_name="HLS",
            external_kind=ArtifactKind.DATASET,
        )
    body = client.get(artifact_url(model)).content.decode()
    assert f'href="{artifact_url(dataset)}"' in body


# --- Structured data and sharing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (ArtifactKind.DATASET, "Dataset"),
        (ArtifactKind.TOOL, "SoftwareApplication"),
        (ArtifactKind.MODEL, "CreativeWork"),
    ],
)
def test_json_ld_and_opengraph(client, kind, schema_type):
    artifact = make_artifact(
        kind=kind, name="Evil</script><script>alert(1)</script>", license="MIT"
    )
    body = client.get(artifact_url(artifact)).content.decode()
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == schema_type
    assert data["name"] == "Evil</script><script>alert(1)</script>"
    assert data["identifier"] == artifact.repo_id
    assert data["url"].endswith(artifact_url(artifact))
    assert "<script>alert(1)" not in body
    assert '<meta property="og:title" content="Evil&lt;/script&gt;' in body
    assert '<meta property="og:url" content="http://testserver' in body


# --- Errors ------------------------------------------------------------------------------


def test_custom_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def failing_view(request):
    raise RuntimeError("boom")


urlpatterns = [__import__("django.urls").urls.path("boom/", failing_view)]


@pytest.mark.urls("tests.test_web_pages")
def test_custom_500(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


# --- Query counts ------------------------------------------------------------------------


def grow(artifact, n: int) -> None:
    """Give an artifact n more of every related row a page shows."""
    start = artifact.variants.count()
    for i in range(start, start + n):
        organization = make_organization()
        artifact.contributions.create(organization=organization, role="contributor")
        ModelVariant.objects.create(artifact=artifact, name=f"{i + 1}B", parameters=(i + 1) * 10**9)
        Source.objects.create(artifact=artifact, url=f"https://example.org/{i}", position=i)
        task = Task.objects.create(slug=f"task-{artifact.pk}-{i}", name=f"Task {i}")
        artifact.tasks.add(task)
        derived = make_artifact(lead=organization)
        Relation.objects.create(
            source=derived, target=artifact, relation_type=RelationType.FINE_TUNED_FROM
        )
        Relation.objects.create(
            source=artifact,
            relation_type=RelationType.TRAINED_ON,
            external_name=f"Corpus {i}",
            external_kind=ArtifactKind.DATASET,
        )


MAX_QUERIES = {"home": 6, "artifact": 20, "organization": 4, "search": 20}


@pytest.mark.parametrize("page", list(MAX_QUERIES))
def test_query_count_is_bounded_and_does_not_grow_with_related_rows(client, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    artifact = make_artifact("subject", name="Subject", license="MIT")
    organization = artifact.contributions.get(role="lead").organization
    url = {
        "home": reverse("web:home"),
        "artifact": artifact_url(artifact),
        "organization": organization.get_absolute_url(),
        "search": reverse("web:search") + "?q=subject&kind=model",
    }[page]
    counts = []
    for more_rows in (1, 8):
        grow(artifact, more_rows)
        client.get(url)  # warm the facet cache alike for both rounds
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_QUERIES[page], counts


def picture_edges(body: str) -> list[tuple[str, str, str]]:
    """What the lineage picture says, read as a person reads it: (left node, label, right node).

    Each node is placed by its rectangle; each edge starts at the right side of one node
    and ends at the left side of another.
    """
    svg = body[body.index('<svg class="lineage-picture"') : body.index("</svg>")]
    nodes = [
        (int(x), int(y), html.unescape(name))
        for name, x, y in re.findall(r'<title>([^<]*)</title><rect x="(\d+)" y="(\d+)"', svg)
    ]

    def node_at(x: int, y: int) -> str:
        (name,) = [
            name
            for nx, ny, name in nodes
            if nx <= x <= nx + NODE_WIDTH and ny <= y <= ny + NODE_HEIGHT
        ]
        return name

    edges = re.findall(
        r'<path d="M(\d+) (\d+) C[\d ]+ (\d+) (\d+)"[^>]*/><text[^>]*>([^<]*)</text>', svg
    )
    return [
        (node_at(int(x1) - 1, int(y1)), html.unescape(label), node_at(int(x2) + 5, int(y2)))
        for x1, y1, x2, y2, label in edges
    ]


def true_sentences() -> set[tuple[str, str, str]]:
    """Each edge said both ways: Code Llama fine-tuned from Llama 2, and the reverse."""
    said = set()
    for relation in Relation.objects.select_related("source", "target"):
        kind = RelationType(relation.relation_type)
        target = relation.target.name if relation.target else relation.external_name
        said.add((relation.source.name, kind.label, target))
        said.add((target, kind.inverse_label, relation.source.name))
    return said


@pytest.mark.parametrize(
    ("entry", "name", "expected"),
    [
        ("meta/llama-2", "Llama 2", ("Llama 2", "fine-tuned into", "Code Llama")),
        ("hugging-face/transformers", "Transformers", ("PyTorch", "used by", "Transformers")),
    ],
)
def test_the_lineage_picture_reads_the_right_way_round(client, seeded, entry, name, expected):
    body = client.get(f"/artifacts/{entry}/").content.decode()
    edges = picture_edges(body)
    assert expected in edges
    assert set(edges) <= true_sentences()
    # The list beside the picture says each of the entry's own edges in the same words.
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
    labels = {kind.inverse_label: kind.label for kind in RelationType}
    for origin, label, derived in edges:
        if derived == name:
            assert f"{labels[label]} {origin}" in text
        elif origin == name:
            assert f"{label} {derived}" in text


# --- Licenses in words -------------------------------------------------------------------


def test_cards_and_facets_name_licenses_in_words_and_the_api_keeps_the_key(client, seeded):
    llama = License.objects.get(key="LicenseRef-scancode-llama-2-license-2023")
    body = client.get("/search/", {"q": "llama 2"}).content.decode()
    cards = body[body.index('class="card"') :]
    assert llama.name in cards
    assert "LicenseRef-scancode-llama-2-license-2023" not in cards
    assert "Custom license: free to use with conditions" in body
    assert "Proprietary Free" not in body

    api = client.get("/api/v1/artifacts/meta/llama-2/").json()
    assert api["license"]["expression"] == "LicenseRef-scancode-llama-2-license-2023"
    assert api["license"]["parts"][0]["category"] == "Proprietary Free"


def test_an_expression_reads_as_license_names(client):
    make_artifact("combined", license="Apache-2.0 AND (MIT OR BSD-3-Clause)")
    names = dict(License.objects.values_list("key", "name"))
    body = html.unescape(client.get("/search/", {"q": "combined"}).content.decode())
    expected = f"{names['Apache-2.0']} and ({names['MIT']} or {names['BSD-3-Clause']})"
    assert expected in body


def test_the_record_dates_are_kept_apart_from_the_release_date(client):
    artifact = make_artifact("dated", released_on="2023-07-18", release_precision="month")
    body = html.unescape(re.sub(r"\s+", " ", client.get(artifact_url(artifact)).content.decode()))
    glance = body[body.index('id="glance-title"') : body.index("</aside>")]
    assert "Last updated" not in glance
    assert "Released" in glance
    assert "2023-07" in glance
    record = body[body.index('id="record-title"') :]
    assert "This catalog entry" in record
    assert "its record last changed on" in record
    assert "not about the model itself, which was released in" in record
