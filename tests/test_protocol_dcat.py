"""DCAT-AP 3: the catalog and each entry as RDF, read over HTTP with rdflib (as a harvester
reads them), walked through the Hydra pages, and checked with pyshacl against the
shapes written from the DCAT-AP 3 specification."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import yaml
from django.conf import settings
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS

from catalog.models import Artifact, ArtifactKind, ArtifactStatus, Task
from catalog.protocols.dcat import DCAT, EU_LANGUAGE_CODES, HYDRA, MAX_PAGE_SIZE
from tests import seeded_snapshot
from tests.factories import make_artifact, make_organization

SHAPES_FILE = Path(settings.BASE_DIR) / "catalog" / "protocols" / "dcat_ap3_shapes.ttl"
RDF_FORMATS = {"ttl": "turtle", "jsonld": "json-ld"}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture
def catalog_server(live_server, seeded_rows):
    """The live server with the real catalog (live_server flushes after each test)."""
    seeded_snapshot.restore(seeded_rows)
    return live_server


def violations(graph: Graph, shapes: Graph) -> list[tuple]:
    """(focus node, path, message) of every sh:Violation; warnings (recommended
    properties the catalog does not know) are allowed."""
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    found = [
        (
            report.value(result, SH.focusNode),
            report.value(result, SH.resultPath),
            str(report.value(result, SH.resultMessage)),
        )
        for result in report.subjects(SH.resultSeverity, SH.Violation)
    ]
    assert conforms == (not found)
    return found


def walk(first_url: str, rdf_format: str) -> list[Graph]:
    """Every page, from the first, following hydra:next to the end, as rdflib reads it."""
    pages, url = [], first_url
    while url is not None:
        page = Graph().parse(url, format=rdf_format)
        pages.append(page)
        assert len(pages) <= 50, "the next links do not end"
        (view,) = page.subjects(RDF.type, HYDRA.PartialCollectionView)
        url = page.value(view, HYDRA.next)
    return pages


def published_dataset_with_everything() -> Artifact:
    """A dataset with a repository (so a distribution), a lead with a website (so a
    contact point), a contributor, a theme, a tag and a release date."""
    lead = make_organization(name="Lead Org", website="https://lead.example")
    dataset = make_artifact(
        lead=lead,
        contributors=(make_organization(kind="university"),),
        kind=ArtifactKind.DATASET,
        license="CC-BY-4.0",
        huggingface_repo_id="lead/corpus",
        released_on="2024-05-01",
        release_precision="month",
    )
    task, _ = Task.objects.get_or_create(slug="translation", defaults={"name": "Translation"})
    dataset.tasks.add(task)
    return dataset


def entry_uri(base: str, artifact: Artifact) -> URIRef:
    return URIRef(base + artifact.get_absolute_url())


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_the_paged_catalog_holds_every_published_entry_and_conforms(catalog_server, shapes, fmt):
    lead = make_organization("drafts-inc")
    hidden = [
        make_artifact("a-draft", lead=lead, kind=ArtifactKind.DATASET, status="draft"),
        make_artifact("in-review", lead=lead, status=ArtifactStatus.IN_REVIEW),
        make_artifact("gone", lead=lead, status="withdrawn", withdrawn_reason="Retracted."),
    ]
    published = list(Artifact.objects.published())
    base = catalog_server.url
    pages = walk(f"{base}/catalog.{fmt}?page_size=25", RDF_FORMATS[fmt])
    assert len(pages) == -(-len(published) // 25)

    catalog = URIRef(base + "/")
    listed = []
    for page in pages:
        assert not violations(page, shapes)
        assert page.value(catalog, DCTERMS.title) == Literal(settings.CATALOG_NAME, lang="en")
        (view,) = page.subjects(RDF.type, HYDRA.PartialCollectionView)
        assert page.value(view, HYDRA.totalItems).toPython() == len(published)
        listed += [*page.objects(catalog, DCAT.dataset), *page.objects(catalog, DCAT.resource)]
    assert len(listed) == len(set(listed))
    assert set(listed) == {entry_uri(base, artifact) for artifact in published}
    assert not {entry_uri(base, artifact) for artifact in hidden} & set(listed)


def test_the_older_hydra_paging_is_there_too(catalog_server):
    """CKAN's DCAT harvester follows hydra:nextPage literals on a hydra:PagedCollection."""
    url = f"{catalog_server.url}/catalog.ttl?page_size=50"
    seen = 0
    while url:
        page = Graph().parse(url, format="turtle")
        (paged,) = page.subjects(RDF.type, HYDRA.PagedCollection)
        seen += len(list(page.subjects(DCTERMS.identifier, None)))
        assert str(page.value(paged, HYDRA.lastPage)).endswith(
            f"page={-(-Artifact.objects.published().count() // 50)}&page_size=50"
        )
        url = page.value(paged, HYDRA.nextPage)
        url = str(url) if url is not None else None
    assert seen == Artifact.objects.published().count()


def test_each_published_entry_has_a_conforming_graph_beside_its_page(client, seeded, shapes):
    union = Graph()
    for artifact in Artifact.objects.published():
        response = client.get(f"{artifact.get_absolute_url().rstrip('/')}.ttl")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/turtle; charset=utf-8"
        graph = Graph().parse(data=response.content, format="turtle")
        entry = URIRef("http://testserver" + artifact.get_absolute_url())
        kind = DCAT.Resource if artifact.kind == ArtifactKind.TOOL else DCAT.Dataset
        assert (entry, RDF.type, kind) in graph
        assert graph.value(entry, DCTERMS.identifier) == Literal(artifact.repo_id)
        union += graph
    # The entries' graphs share agents and concepts, so one check of their union is
    # the same check as one per graph.
    assert not violations(union, shapes)


def test_an_entry_as_json_ld_is_the_same_graph(client, db):
    artifact = published_dataset_with_everything()
    path = artifact.get_absolute_url().rstrip("/")
    turtle = client.get(f"{path}.ttl")
    json_ld = client.get(f"{path}.jsonld")
    assert json_ld["Content-Type"] == "application/ld+json"
    as_turtle = Graph().parse(data=turtle.content, format="turtle")
    as_json_ld = Graph().parse(data=json_ld.content, format="json-ld")
    assert len(as_turtle) == len(as_json_ld) > 10
    assert set(as_turtle.subjects(RDF.type, DCAT.Dataset)) == set(
        as_json_ld.subjects(RDF.type, DCAT.Dataset)
    )


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        ("dataset without a title", DCTERMS.title),
        ("dataset without a description", DCTERMS.description),
        ("catalog without a publisher", DCTERMS.publisher),
        ("distribution without an access URL", DCAT.accessURL),
        ("agent without a name", FOAF.name),
        ("dataset with two publishers", DCTERMS.publisher),
        ("distribution with two licences", DCTERMS.license),
    ],
)
def test_the_shapes_refuse_a_graph_missing_what_dcat_ap_requires(
    client, db, shapes, breakage, path
):
    """The check cannot pass vacuously: break one mandatory property and it fails."""
    published_dataset_with_everything()
    make_artifact(kind=ArtifactKind.TOOL, license="MIT")
    page = client.get("/catalog.ttl", {"page_size": MAX_PAGE_SIZE})
    graph = Graph().parse(data=page.content, format="turtle")
    assert not violations(graph, shapes)
    dataset = next(
        d for d in graph.subjects(RDF.type, DCAT.Dataset) if graph.value(d, DCAT.distribution)
    )
    distribution = graph.value(dataset, DCAT.distribution)
    publisher = graph.value(dataset, DCTERMS.publisher)
    catalog = graph.value(None, RDF.type, DCAT.Catalog)
    focus = {
        "dataset without a title": dataset,
        "dataset without a description": dataset,
        "catalog without a publisher": catalog,
        "distribution without an access URL": distribution,
        "agent without a name": publisher,
        "dataset with two publishers": dataset,
        "distribution with two licences": distribution,
    }[breakage]
    if breakage.endswith("two publishers"):
        graph.add((dataset, DCTERMS.publisher, graph.value(catalog, DCTERMS.publisher)))
    elif breakage.endswith("two licences"):
        graph.add((distribution, DCTERMS.license, URIRef("http://spdx.org/licenses/MIT")))
        graph.add((distribution, DCTERMS.license, URIRef("http://spdx.org/licenses/0BSD")))
    else:
        graph.remove((focus, path, None))
    found = violations(graph, shapes)
    assert (focus, path) in {(node, result_path) for node, result_path, _ in found}


def test_what_the_graph_says_of_licences_publishers_and_themes(client, db):
    lead = make_organization("acme", name="Acme", kind="company", website="https://acme.example")
    other = make_organization("uni", name="A University", kind="university")
    single = make_artifact(
        "corpus",
        lead=lead,
        contributors=(other,),
        kind=ArtifactKind.DATASET,
        license="CC-BY-4.0",
        huggingface_repo_id="acme/corpus",
        released_on="2023-01-01",
        release_precision="year",
    )
    task, _ = Task.objects.get_or_create(slug="translation", defaults={"name": "Translation"})
    single.tasks.add(task)
    both = make_artifact(
        "model", lead=lead, license="MIT AND Apache-2.0", huggingface_repo_id="acme/model"
    )
    tool = make_artifact("kit", lead=lead, kind=ArtifactKind.TOOL, license="MIT")
    page = client.get("/catalog.ttl", {"page_size": MAX_PAGE_SIZE})
    graph = Graph().parse(data=page.content, format="turtle")

    def node(artifact):
        return URIRef("http://testserver" + artifact.get_absolute_url())

    distribution = graph.value(node(single), DCAT.distribution)
    assert graph.value(distribution, DCAT.accessURL) == URIRef(
        "https://huggingface.co/datasets/acme/corpus"
    )
    assert graph.value(distribution, DCTERMS.license) == URIRef(
        "http://spdx.org/licenses/CC-BY-4.0"
    )
    assert str(graph.value(node(single), DCTERMS.issued)) == "2023"
    rights = graph.value(graph.value(node(both), DCAT.distribution), DCTERMS.rights)
    assert graph.value(rights, RDFS.label) == Literal("MIT AND Apache-2.0")
    assert (node(tool), RDF.type, DCAT.Resource) in graph
    assert graph.value(node(tool), DCTERMS.license) == URIRef("http://spdx.org/licenses/MIT")

    publisher = graph.value(node(single), DCTERMS.publisher)
    assert publisher == URIRef("http://testserver/organizations/acme/")
    assert (publisher, RDF.type, FOAF.Organization) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Acme", lang="en")
    assert set(graph.objects(node(single), DCTERMS.creator)) == {
        publisher,
        URIRef("http://testserver/organizations/uni/"),
    }
    (theme,) = graph.objects(node(single), DCAT.theme)
    assert graph.value(theme, SKOS.prefLabel) == Literal("Translation", lang="en")
    scheme = graph.value(theme, SKOS.inScheme)
    assert (URIRef("http://testserver/"), DCAT.themeTaxonomy, scheme) in graph


def test_every_taxonomy_language_has_its_eu_authority_uri():
    fixture = yaml.safe_load((Path(settings.BASE_DIR) / "fixtures" / "taxonomy.yaml").read_text())
    codes = {language["code"] for language in fixture["languages"]}
    assert codes <= set(EU_LANGUAGE_CODES)


@pytest.mark.parametrize(
    ("query", "status", "errors"),
    [
        ("page_size=0", 400, {"page_size": [f"Use a number from 1 to {MAX_PAGE_SIZE}."]}),
        (f"page_size={MAX_PAGE_SIZE + 1}", 400, {"page_size": ["Use a number from 1 to 1000."]}),
        ("page=two", 400, {"page": ["Enter a whole number."]}),
        ("page=0", 400, {"page": ["Use 1 or more."]}),
        ("page={past_the_end}&page_size=1", 404, None),
    ],
)
def test_bad_paging_gets_a_clear_answer(client, db, query, status, errors):
    make_artifact()
    make_artifact()
    past_the_end = Artifact.objects.published().count() + 1
    response = client.get(f"/catalog.ttl?{query.format(past_the_end=past_the_end)}")
    assert response.status_code == status
    if errors is not None:
        assert response.json() == errors


def test_an_unpublished_or_missing_entry_is_a_404(client, db):
    lead = make_organization("acme")
    make_artifact("draft", lead=lead, status="draft")
    for path in ("/artifacts/acme/draft.ttl", "/artifacts/acme/nothing.jsonld"):
        assert client.get(path).status_code == 404


def grow(artifact: Artifact, n: int) -> None:
    for number in range(n):
        artifact.contributions.create(organization=make_organization(), role="contributor")
        task, _ = Task.objects.get_or_create(slug=f"task-{number}", name=f"Task {number}")
        artifact.tasks.add(task)


def test_a_catalog_page_and_an_entry_take_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries
):
    entries = [make_artifact(kind=kind, license="MIT") for kind in ArtifactKind for _ in range(3)]
    for artifact in entries:
        grow(artifact, 4)
    with django_assert_max_num_queries(10):
        response = client.get("/catalog.ttl?page_size=5&page=2")
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(f"{entries[0].get_absolute_url().rstrip('/')}.jsonld")
    assert response.status_code == 200
