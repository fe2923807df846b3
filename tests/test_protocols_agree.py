"""One question, three protocols, the same entries.

A researcher asks the catalog through /api/v1/, through the Hugging Face Hub client and
through ckanapi; each real client speaks HTTP to the live server holding the real
catalog. Whatever the protocol, the answer is the same set of entries, so no protocol
can drift into its own idea of visibility, search or filters.
"""

from __future__ import annotations

import threading

import ckanapi
import pytest
import requests
from huggingface_hub import HfApi
from huggingface_hub.utils import close_session

from catalog.models import Artifact
from catalog.protocols.ckan_packages import NAME_SEPARATOR

# (what /api/v1/ is asked, what the Hub client is asked, CKAN's package_search arguments)
QUESTIONS = [
    pytest.param(
        {"kind": "model", "organization": "ibm"},
        {"author": "ibm"},
        {"fq": "type:model organization:ibm"},
        id="IBM's models",
    ),
    pytest.param(
        {"kind": "model", "q": "granite"},
        {"search": "granite"},
        {"q": "granite", "fq": "type:model"},
        id="models about granite",
    ),
    pytest.param(
        {"kind": "model", "license": "Apache-2.0"},
        {"filter": "license:apache-2.0"},
        {"fq": "type:model license_id:Apache-2.0"},
        id="Apache-2.0 models",
    ),
    pytest.param(
        {"kind": "dataset"},
        {},
        {"fq": "type:dataset"},
        id="every dataset",
    ),
]


@pytest.fixture
def catalog_url(live_server, seeded_rows, settings):
    from tests import seeded_snapshot

    settings.CATALOG_ANON_RATE = "100000/minute"
    seeded_snapshot.restore(seeded_rows)
    yield live_server.url
    # The Hub client keeps connections alive, each server thread holding a database
    # connection: close them so that PostgreSQL can drop the test database.
    close_session()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=30)


def from_api_v1(base: str, params: dict) -> set[str]:
    response = requests.get(f"{base}/api/v1/artifacts/", {**params, "page_size": 100}, timeout=30)
    body = response.json()
    count, ids = body["count"], [item["id"] for item in body["results"]]
    while body["next"]:
        body = requests.get(body["next"], timeout=30).json()
        ids += [item["id"] for item in body["results"]]
    assert len(ids) == len(set(ids)) == count
    return set(ids)


def from_hub(base: str, kind: str, params: dict) -> set[str]:
    api = HfApi(endpoint=base, token=False)
    listing = api.list_models if kind == "model" else api.list_datasets
    return {item.id for item in listing(**params)}


def from_ckan(base: str, params: dict) -> set[str]:
    names, start = [], 0
    with ckanapi.RemoteCKAN(base) as ckan:
        while True:
            page = ckan.action.package_search(rows=7, start=start, **params)
            names += [package["name"] for package in page["results"]]
            start += 7
            if start >= page["count"]:
                break
    assert len(names) == len(set(names)) == page["count"]
    return {name.replace(NAME_SEPARATOR, "/", 1) for name in names}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("v1_params", "hub_params", "ckan_params"), QUESTIONS)
def test_the_same_question_finds_the_same_entries(catalog_url, v1_params, hub_params, ckan_params):
    expected = from_api_v1(catalog_url, v1_params)
    assert expected, "a question whose answer is empty proves nothing"
    assert expected < {a.repo_id for a in Artifact.objects.published()}
    assert from_hub(catalog_url, v1_params["kind"], hub_params) == expected
    assert from_ckan(catalog_url, ckan_params) == expected
