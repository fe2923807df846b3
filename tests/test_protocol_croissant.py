"""Croissant 1.1 for every published dataset, read by the real `mlcroissant` client (its
CLI as a subprocess and `mlc.Dataset(url)`) over HTTP from the live server."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mlcroissant as mlc
import pytest
from mlcroissant._src.core.rdf import make_context

from catalog.models import Artifact, ArtifactKind, Task
from catalog.protocols.croissant import CONTEXT, CROISSANT_1_1
from tests import seeded_snapshot
from tests.factories import make_artifact, make_organization

MLCROISSANT = str(Path(sys.executable).with_name("mlcroissant"))


def croissant_path(artifact: Artifact) -> str:
    return f"/api/v1/artifacts/{artifact.namespace}/{artifact.slug}/croissant"


@pytest.fixture
def catalog_server(live_server, seeded_rows):
    """The live server with the real catalog (live_server flushes after each test)."""
    seeded_snapshot.restore(seeded_rows)
    return live_server


def validate_with_cli(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [MLCROISSANT, "validate", "--jsonld", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_mlcroissant_validate_passes_for_every_published_dataset(catalog_server):
    datasets = list(Artifact.objects.published().filter(kind=ArtifactKind.DATASET))
    assert len(datasets) > 3
    urls = [catalog_server.url + croissant_path(dataset) for dataset in datasets]
    # A few at a time: each run starts its own Python (pandas, scipy) for seconds.
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = dict(zip(urls, pool.map(validate_with_cli, urls), strict=True))
    failures = {url: run.stderr[-2000:] for url, run in runs.items() if run.returncode != 0}
    assert not failures
    for run in runs.values():
        assert "error(s)" not in run.stderr


def test_mlc_dataset_loads_a_dataset_with_its_hugging_face_repository(catalog_server):
    dataset = (
        Artifact.objects.published()
        .filter(kind=ArtifactKind.DATASET)
        .exclude(huggingface_repo_id="")
        .order_by("pk")
        .first()
    )
    loaded = mlc.Dataset(catalog_server.url + croissant_path(dataset))
    metadata = loaded.metadata
    assert metadata.name == dataset.name
    assert not metadata.ctx.issues.errors
    assert metadata.ctx.is_live_dataset  # the repository can change: no checksum invented
    (file_object,) = metadata.file_objects
    assert file_object.content_url == dataset.huggingface_url
    assert file_object.encoding_formats == ["git+https"]


def test_a_dataset_without_a_known_file_is_metadata_only(catalog_server):
    dataset = (
        Artifact.objects.published()
        .filter(kind=ArtifactKind.DATASET, huggingface_repo_id="")
        .order_by("pk")
        .first()
    )
    loaded = mlc.Dataset(catalog_server.url + croissant_path(dataset))
    assert loaded.metadata.name == dataset.name
    assert loaded.metadata.distribution == []
    assert not loaded.metadata.ctx.is_live_dataset


def test_recommended_facts_are_given_when_known(client, db):
    lead = make_organization("acme", name="Acme", website="https://acme.example")
    dataset = make_artifact(
        "corpus",
        lead=lead,
        kind=ArtifactKind.DATASET,
        license="CC-BY-4.0",
        version="1.0.0",
        paper_url="https://arxiv.org/abs/2401.00001",
        released_on="2024-05-01",
        release_precision="month",
        huggingface_repo_id="acme/corpus",
    )
    document = client.get(croissant_path(dataset)).json()
    loaded = mlc.Dataset(jsonld=document)
    assert not loaded.metadata.ctx.issues.errors
    assert not loaded.metadata.ctx.issues.warnings  # citeAs, datePublished, license, version
    assert document["datePublished"] == "2024-05"
    assert document["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert document["creator"] == [
        {"@type": "sc:Organization", "name": "Acme", "url": "https://acme.example"}
    ]


def test_unverified_claims_never_appear(client, seeded):
    """The seeds' unconfirmed claims (a release month, a license) stay out of the facts."""
    claimed = list(
        Artifact.objects.published().filter(kind=ArtifactKind.DATASET).exclude(unverified={})
    )
    assert claimed
    for dataset in claimed:
        text = json.dumps(client.get(croissant_path(dataset)).json())
        for claim in dataset.unverified.values():
            assert str(claim) not in text, (dataset.repo_id, claim)


def test_the_context_is_mlcroissants_own_for_1_1():
    context = make_context(mlc.Context(conforms_to=CROISSANT_1_1))
    assert context == CONTEXT


@pytest.mark.parametrize(
    ("case", "detail"),
    [
        ("model", "acme/llm is a model; Croissant describes datasets only."),
        ("tool", "acme/kit is a tool; Croissant describes datasets only."),
        ("draft", "No published dataset acme/draft in the catalog."),
        ("missing", "No published dataset acme/nothing in the catalog."),
    ],
)
def test_what_is_not_a_published_dataset_is_a_404(client, db, case, detail):
    lead = make_organization("acme")
    make_artifact("llm", lead=lead, kind=ArtifactKind.MODEL)
    make_artifact("kit", lead=lead, kind=ArtifactKind.TOOL)
    make_artifact("draft", lead=lead, kind=ArtifactKind.DATASET, status="draft")
    slug = {"model": "llm", "tool": "kit", "draft": "draft", "missing": "nothing"}[case]
    response = client.get(f"/api/v1/artifacts/acme/{slug}/croissant")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": detail}


def test_the_document_is_json_ld_whatever_the_client_accepts(client, db):
    dataset = make_artifact(kind=ArtifactKind.DATASET)
    for accept in ("*/*", "text/html", "application/json"):
        response = client.get(croissant_path(dataset), HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/ld+json"


def test_a_dataset_page_links_its_croissant_and_a_model_page_does_not(client, db):
    dataset = make_artifact(kind=ArtifactKind.DATASET)
    model = make_artifact(kind=ArtifactKind.MODEL)
    link = '<link rel="alternate" type="application/ld+json" href="{}"'
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert link.format(croissant_path(dataset)) in page
    page = client.get(model.get_absolute_url()).content.decode()
    assert 'type="application/ld+json" href=' not in page


def test_a_document_takes_a_fixed_number_of_queries(client, db, django_assert_max_num_queries):
    lead = make_organization()
    dataset = make_artifact(kind=ArtifactKind.DATASET, lead=lead, license="MIT AND Apache-2.0")
    for number in range(6):
        dataset.contributions.create(organization=make_organization(), role="contributor")
        dataset.tasks.add(Task.objects.create(slug=f"task-{number}", name=f"Task {number}"))
    with django_assert_max_num_queries(8):
        response = client.get(croissant_path(dataset))
    assert len(response.json()["creator"]) == 7
