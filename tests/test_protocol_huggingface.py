"""The Hugging Face Hub's own clients read the catalog: `huggingface_hub` 2.x (HfApi and
the `hf` command) and the last 0.x client, unchanged, over real HTTP to a live server.

Every answer is checked against the same question asked through /api/v1/artifacts/:
the same entries, in the same order, counted there, never hard-coded. Pages hold four
entries here (huggingface_question.PAGE_SIZE), so the clients follow `next` links page
after page as they would through a large catalog.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.signals import request_started
from huggingface_hub import HfApi
from huggingface_hub.errors import (
    BadRequestError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import close_session

from catalog.models import ArtifactKind, ArtifactStatus, MembershipRole, Relation, RelationType
from catalog.protocols import huggingface_question
from catalog.tokens import issue_token
from tests.factories import make_artifact, make_member, make_organization

HF0_PYTHON = Path(__file__).resolve().parents[1] / ".venv-hf0" / "bin" / "python"
HF_CLI = Path(sys.executable).with_name("hf")
PAGE = 4
V1 = "/api/v1/artifacts/"
BASE_MODEL_TYPES = {
    "fine_tuned_from",
    "quantized_from",
    "merged_from",
    "adapter_of",
    "distilled_from",
}
HUB_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub(live_server, seeded_rows, monkeypatch):
    """The live server with the real catalog, four entries a page; its base URL."""
    from tests import seeded_snapshot

    seeded_snapshot.restore(seeded_rows)
    monkeypatch.setattr(huggingface_question, "PAGE_SIZE", PAGE)
    yield live_server.url
    # The client keeps its connections alive, and the server thread of each holds a
    # database connection until it closes: close them and let those threads finish,
    # so that no session outlives the test (PostgreSQL then cannot drop its database).
    close_session()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=30)


@pytest.fixture
def api(hub) -> HfApi:
    return HfApi(endpoint=hub, token=False)


@pytest.fixture
def hub_requests():
    """The paths (with query) of the Hub API requests the server answers."""
    seen: list[str] = []

    def record(sender, environ, **kwargs):
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/api/models", "/api/datasets")):
            query = environ.get("QUERY_STRING", "")
            seen.append(f"{path}?{query}" if query else path)

    request_started.connect(record)
    yield seen
    request_started.disconnect(record)


def v1(client, **params) -> tuple[int, list[str]]:
    """How many entries /api/v1/artifacts/ counts for a question, and all their ids."""
    response = client.get(V1, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    count, ids = body["count"], [item["id"] for item in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        ids += [item["id"] for item in body["results"]]
    assert len(ids) == count
    return count, ids


def v1_entry(client, repo_id: str) -> dict:
    response = client.get(f"{V1}{repo_id}/")
    assert response.status_code == 200, response.content
    return response.json()


def released(entry: dict, created_at) -> bool:
    """The Hub's createdAt is the release date, as far as the catalog knows it."""
    return created_at.date().isoformat().startswith(entry["released"])


def card_license(entry: dict) -> str:
    """One license as the Hub writes it (`apache-2.0`), or the SPDX expression."""
    parts = entry["license"]["parts"]
    return parts[0]["key"].lower() if len(parts) == 1 else entry["license"]["expression"]


def lineage(entry: dict, types) -> list[str]:
    return [
        edge["artifact"]
        for edge in entry["derived_from"]
        if edge["type"] in types and edge["artifact"]
    ]


# ------------------------------------------------------------------------------
# list_models and list_datasets ask what /api/v1/ answers
# ------------------------------------------------------------------------------
MODEL_QUESTIONS = [
    # (what a researcher asks, list_models(**...), the same question to /api/v1/artifacts/)
    ("every model", {}, {}),
    ("a word", {"search": "granite"}, {"q": "granite"}),
    ("a member's models", {"author": "ibm"}, {"organization": "ibm"}),
    ("a task", {"filter": "text-generation"}, {"task": "text-generation"}),
    (
        "a license and a language",
        {"filter": ["license:apache-2.0", "en"]},
        {"license": "Apache-2.0", "language": "en"},
    ),
    (
        "trained on a dataset",
        {"trained_dataset": "hugging-face/the-stack"},
        {"trained_on": "hugging-face/the-stack"},
    ),
    (
        "a pipeline tag from one member",
        {"pipeline_tag": "text-generation", "author": "meta"},
        {"task": "text-generation", "organization": "meta"},
    ),
    (
        "a tag and a size",
        {"filter": "llm", "num_parameters": "min:6B,max:14B"},
        {"tag": "llm", "min_parameters": "6B", "max_parameters": "14B"},
    ),
    ("recently changed", {"sort": "last_modified"}, {"ordering": "-updated"}),
    ("newest releases", {"sort": "created_at"}, {"ordering": "-released"}),
    ("most downloaded: uncounted, the catalog's order", {"sort": "downloads"}, {}),
    ("most liked, with a word", {"search": "code", "sort": "likes"}, {"q": "code"}),
]


@live
@pytest.mark.parametrize(
    ("question", "hub_params", "v1_params"),
    MODEL_QUESTIONS,
    ids=[q for q, *_ in MODEL_QUESTIONS],
)
def test_list_models_gives_the_entries_the_api_gives(
    api, client, hub_requests, question, hub_params, v1_params
):
    count, expected = v1(client, kind="model", **v1_params)
    assert count, f"the seeded catalog answers {question!r}"

    models = list(api.list_models(**hub_params))

    assert [model.id for model in models] == expected
    # One request per page, each after the last by its `next` link.
    assert len(hub_requests) == max(1, math.ceil(count / PAGE))


@live
def test_a_walk_of_three_pages_carries_every_parameter(api, client, hub_requests):
    count, expected = v1(client, kind="model", q="model", ordering="-released")
    assert count > 3 * PAGE

    models = list(api.list_models(search="model", sort="created_at", limit=3 * PAGE - 1))

    assert [m.id for m in models] == expected[: 3 * PAGE - 1]
    assert len(hub_requests) == 3
    for path in hub_requests[1:]:  # the `next` links, requested as they are
        params = parse_qs(urlsplit(path).query)
        assert params["search"] == ["model"]
        assert params["sort"] == ["createdAt"]
        assert params["limit"] == [str(3 * PAGE - 1)]
        assert params["cursor"]


@live
def test_limit_stops_the_client_on_the_first_page(api, client, hub_requests):
    _, expected = v1(client, kind="model", organization="meta")
    models = list(api.list_models(author="meta", limit=2))
    assert [m.id for m in models] == expected[:2]
    assert hub_requests == ["/api/models?author=meta&limit=2"]


DATASET_QUESTIONS = [
    ("every dataset", {}, {}),
    ("a language", {"language": "en"}, {"language": "en"}),
    (
        "a word from a member",
        {"search": "code", "author": "hugging-face"},
        {"q": "code", "organization": "hugging-face"},
    ),
    ("a task category", {"task_categories": "text-generation"}, {"task": "text-generation"}),
    (
        "a modality, newest first",
        {"filter": "modality:text", "sort": "created_at"},
        {"modality": "text", "ordering": "-released"},
    ),
]


@live
@pytest.mark.parametrize(
    ("question", "hub_params", "v1_params"),
    DATASET_QUESTIONS,
    ids=[q for q, *_ in DATASET_QUESTIONS],
)
def test_list_datasets_gives_the_entries_the_api_gives(
    api, client, question, hub_params, v1_params
):
    count, expected = v1(client, kind="dataset", **v1_params)
    assert count, f"the seeded catalog answers {question!r}"
    datasets = list(api.list_datasets(**hub_params))
    assert [dataset.id for dataset in datasets] == expected


@live
def test_a_question_the_catalog_cannot_answer_raises_bad_request(api):
    with pytest.raises(BadRequestError, match="'llm' and 'chat' are both tags"):
        list(api.list_models(filter=["llm", "chat"]))
    with pytest.raises(BadRequestError, match="sort: 'popularity' is not a sort"):
        list(api.list_models(sort="popularity"))
    with pytest.raises(BadRequestError, match="gated: the catalog does not know"):
        list(api.list_models(gated=False))


@live
def test_models_and_datasets_are_every_model_and_dataset_and_no_tool(api, client):
    _, models = v1(client, kind="model")
    _, datasets = v1(client, kind="dataset")
    _, tools = v1(client, kind="tool")
    assert sorted(m.id for m in api.list_models()) == sorted(models)
    assert sorted(d.id for d in api.list_datasets()) == sorted(datasets)
    assert tools
    assert not api.repo_exists(tools[0])
    assert not api.repo_exists(tools[0], repo_type="dataset")


@live
def test_a_list_with_card_data_reads_like_the_hub(api, client):
    _, expected = v1(client, kind="model", q="code llama")
    models = list(api.list_models(search="code llama", full=True, cardData=True, limit=1))
    assert [m.id for m in models] == expected[:1]
    entry = v1_entry(client, models[0].id)
    assert models[0].card_data.license == card_license(entry)
    assert models[0].card_data.base_model == lineage(entry, BASE_MODEL_TYPES)[0]
    assert released(entry, models[0].created_at)
    assert models[0].last_modified is not None
    # No number the catalog does not count.
    assert models[0].downloads is None
    assert models[0].likes is None


# ------------------------------------------------------------------------------
# model_info, dataset_info, repo_exists
# ------------------------------------------------------------------------------
@live
@pytest.mark.parametrize("repo_id", ["hugging-face/zephyr-7b-beta", "meta/code-llama"])
def test_model_info_has_the_lineage_as_card_data(api, client, repo_id):
    entry = v1_entry(client, repo_id)
    info = api.model_info(repo_id)

    assert info.id == repo_id
    assert info.author == entry["organizations"][0]["slug"]
    assert info.private is False
    base_models = lineage(entry, BASE_MODEL_TYPES)
    datasets = lineage(entry, {"trained_on"})
    assert base_models or datasets
    card = info.card_data
    assert card.model_name == entry["name"]
    assert card.base_model == (base_models[0] if len(base_models) == 1 else (base_models or None))
    assert card.datasets == (datasets or None)
    assert card.tags == entry["tags"]
    assert card.language == (entry["languages"] or None)
    assert {f"dataset:{d}" for d in datasets} | set(entry["tasks"]) <= set(info.tags)
    assert released(entry, info.created_at)
    assert info.downloads is None
    assert info.likes is None
    assert info.sha is None  # the catalog keeps no commits
    # And the revision path answers the same.
    assert api.model_info(repo_id, revision="main") == info


@live
def test_expand_gives_only_what_is_asked_and_known(api, client):
    entry = v1_entry(client, "meta/code-llama")
    info = api.model_info("meta/code-llama", expand=["downloads", "likes", "tags"])
    assert set(entry["tags"] + entry["tasks"]) <= set(info.tags)
    assert (info.downloads, info.likes, info.card_data, info.author) == (None, None, None, None)

    _, expected = v1(client, kind="model", ordering="-released")
    models = list(api.list_models(sort="created_at", expand=["createdAt"], limit=PAGE + 1))
    assert [m.id for m in models] == expected[: PAGE + 1]
    assert all(m.created_at and m.tags is None and m.author is None for m in models)


@live
def test_a_revision_the_catalog_does_not_keep_is_not_found(api):
    with pytest.raises(RevisionNotFoundError):
        api.model_info("meta/code-llama", revision="v1.0/x")


@live
def test_dataset_info_reads_like_the_hub(api, client):
    entry = v1_entry(client, "hugging-face/the-stack")
    info = api.dataset_info("hugging-face/the-stack")
    assert info.id == "hugging-face/the-stack"
    assert info.description == entry["summary"]
    assert info.card_data.pretty_name == entry["name"]
    assert info.card_data.task_categories == entry["tasks"]
    assert info.card_data.license == card_license(entry)
    assert {f"task_categories:{t}" for t in entry["tasks"]} <= set(info.tags)
    assert api.dataset_info("hugging-face/the-stack", revision="main") == info


@live
def test_repo_exists_and_missing_entries(api):
    assert api.repo_exists("meta/code-llama")
    assert api.repo_exists("hugging-face/the-stack", repo_type="dataset")
    assert not api.repo_exists("meta/no-such-model")
    assert not api.repo_exists("meta/code-llama", repo_type="dataset")  # a model
    assert not api.repo_exists("gpt2")  # no namespace: never a catalog id
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("meta/no-such-model")
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info("meta/no-such-dataset")


@live
def test_a_members_draft_is_private_to_its_token(hub, client):
    ibm = make_organization("ibm-research-lab")
    make_artifact("granite-next", lead=ibm, status=ArtifactStatus.DRAFT, kind=ArtifactKind.MODEL)
    member = make_member(ibm, MembershipRole.EDITOR)
    token = issue_token(user=member, name="hf", organizations=[ibm], scopes=["read"])

    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub, token=False).model_info("ibm-research-lab/granite-next")
    info = HfApi(endpoint=hub, token=token.secret).model_info("ibm-research-lab/granite-next")
    assert info.private is True
    # Lists are the published catalog, as /api/v1/ without `status`.
    listed = HfApi(endpoint=hub, token=token.secret).list_models(author="ibm-research-lab")
    assert [m.id for m in listed] == v1(client, kind="model", organization="ibm-research-lab")[1]


@live
def test_lineage_to_a_draft_is_named_only_to_whom_may_see_it(client):
    ibm = make_organization("ibm-research-lab")
    base = make_artifact("granite-base", lead=ibm, status=ArtifactStatus.DRAFT)
    tuned = make_artifact("granite-tuned", lead=ibm)
    Relation.objects.create(source=tuned, target=base, relation_type=RelationType.FINE_TUNED_FROM)
    member = make_member(ibm, MembershipRole.EDITOR)
    token = issue_token(user=member, name="hf", organizations=[ibm], scopes=["read"])
    as_member = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    path = "/api/models/ibm-research-lab/granite-tuned"
    listing = ("/api/models", {"author": "ibm-research-lab", "cardData": "true"})

    assert "base_model" not in client.get(path).json()["cardData"]
    assert "base_model" not in client.get(*listing).json()[0]["cardData"]
    named = "ibm-research-lab/granite-base"
    assert client.get(path, **as_member).json()["cardData"]["base_model"] == named
    assert client.get(*listing, **as_member).json()[0]["cardData"]["base_model"] == named


@live
def test_a_hugging_face_token_is_not_ours_and_is_never_logged(hub, client, caplog):
    secret = "hf_aLoggedInResearchersToken0123456789"
    api = HfApi(endpoint=hub, token=secret)
    with caplog.at_level(logging.DEBUG):
        models = list(api.list_models(author="ibm", limit=3))
        info = api.model_info("meta/code-llama")
        assert not api.repo_exists("meta/no-such-model")
    assert [m.id for m in models] == v1(client, kind="model", organization="ibm")[1][:3]
    assert info.id == "meta/code-llama"
    assert caplog.records
    assert secret not in caplog.text


# ------------------------------------------------------------------------------
# The `hf` command, with HF_ENDPOINT as a user sets it
# ------------------------------------------------------------------------------
def hf(hub: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "HF_ENDPOINT": hub,
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",  # no look at PyPI from a test
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(HF_CLI), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@live
def test_hf_models_ls(hub, client, tmp_path):
    _, expected = v1(client, kind="model", q="granite", organization="ibm")
    done = hf(hub, tmp_path, "models", "ls", "--search", "granite", "--author", "ibm",
              "--limit", str(len(expected)), "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == expected
    assert len(expected) > 2 * PAGE


@live
def test_hf_models_info(hub, client, tmp_path):
    entry = v1_entry(client, "meta/code-llama")
    done = hf(hub, tmp_path, "models", "info", "meta/code-llama", "--format", "json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["id"] == "meta/code-llama"
    assert info["card_data"]["base_model"] == lineage(entry, BASE_MODEL_TYPES)[0]

    missing = hf(hub, tmp_path, "models", "info", "meta/no-such-model")
    assert missing.returncode == 1
    assert "Model 'meta/no-such-model' not found." in missing.stdout + missing.stderr


# ------------------------------------------------------------------------------
# The last 0.x client (requests, `True`/`False`), from its own virtualenv
# ------------------------------------------------------------------------------
HF0_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import huggingface_hub
    from huggingface_hub import HfApi
    from huggingface_hub.errors import RepositoryNotFoundError

    api = HfApi(endpoint=sys.argv[1], token=False)
    models = list(api.list_models(search="model", sort="created_at", full=True, cardData=True))
    answer = {
        "version": huggingface_hub.__version__,
        "ids": [m.id for m in models],
        "all_modified": all(m.last_modified is not None for m in models),
        "base_model": api.model_info("meta/code-llama").card_data.base_model,
        "exists": api.repo_exists("meta/no-such-model"),
    }
    try:
        api.model_info("meta/no-such-model")
    except RepositoryNotFoundError as error:
        answer["missing"] = type(error).__name__
    print(json.dumps(answer))
    """
)


@live
def test_the_last_0x_client(hub, client, hub_requests, tmp_path):
    if not HF0_PYTHON.exists():
        pytest.fail(f"{HF0_PYTHON} is missing: `make install` builds it (requirements-hf0.lock).")
    count, expected = v1(client, kind="model", q="model", ordering="-released")
    assert count > 2 * PAGE

    done = subprocess.run(
        [str(HF0_PYTHON), "-c", HF0_SCRIPT, hub],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HOME": str(tmp_path)},
    )

    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["version"].startswith("0.")
    assert answer["ids"] == expected
    assert answer["all_modified"]  # full=True, as requests writes it
    assert "full=True" in hub_requests[0]
    assert answer["base_model"] == lineage(v1_entry(client, "meta/code-llama"), BASE_MODEL_TYPES)[0]
    assert answer["exists"] is False
    assert answer["missing"] == "RepositoryNotFoundError"


# ------------------------------------------------------------------------------
# The wire, in-process: errors, booleans, links, dates, query counts
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "abc"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"sort": "popularity"}, "sort"),
        ({"sort": "createdAt", "direction": "up"}, "direction"),
        ({"full": "maybe"}, "full"),
        ({"gated": "false"}, "gated"),
        ({"num_parameters": "about 7B"}, "num_parameters"),
        ({"num_parameters": "min:lots"}, "num_parameters"),
        ({"search": "the"}, "search"),
        ({"filter": ["llm", "chat"]}, "filter"),
        ({"filter": "text-generation", "pipeline_tag": "summarization"}, "filter"),
        ({"filter": "pytorch", "limit": "abc"}, "limit"),  # checked before "no entry has it"
    ],
)
def test_bad_input_is_a_400_in_the_hubs_words(seeded, client, params, parameter):
    response = client.get("/api/models", params)
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    "params",
    [
        {"filter": "pytorch"},  # a tag no entry carries
        {"filter": "library:transformers"},
        {"filter": "license:no-such-license"},
        {"filter": "dataset:nobody/nothing"},
        {"author": "no-such-member"},
        {"filter": "modality:smell"},
    ],
)
def test_a_tag_no_entry_carries_is_an_empty_list(seeded, client, params):
    response = client.get("/api/models", params)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("true", ["true", "True", "1"])
def test_booleans_in_either_case(seeded, client, true):
    entries = client.get("/api/models", {"full": true, "cardData": true, "limit": 2}).json()
    assert all("lastModified" in e and "cardData" in e for e in entries)
    plain = client.get("/api/models", {"full": "False", "limit": 2}).json()
    assert not any("lastModified" in e or "cardData" in e for e in plain)


def test_every_tag_filters_back_to_its_entry(seeded, client):
    for path in ("/api/models/hugging-face/zephyr-7b-beta", "/api/datasets/hugging-face/the-stack"):
        document = client.get(path).json()
        for tag in document["tags"]:
            listed = client.get(path.rsplit("/", 2)[0], {"filter": tag, "limit": 100}).json()
            assert document["id"] in [e["id"] for e in listed], tag


def test_the_next_link_is_absolute_and_carries_every_parameter(seeded, client):
    params = {
        "search": "model",
        "author": "ibm",
        "filter": "license:apache-2.0",
        "sort": "lastModified",
        "limit": "2",
        "cardData": "true",
    }
    response = client.get("/api/models", params)
    assert response.status_code == 200
    link = re.fullmatch(r'<(?P<url>[^>]+)>; rel="next"', response["Link"])
    url = urlsplit(link["url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "testserver", "/api/models")
    query = parse_qs(url.query)
    assert {name: values[0] for name, values in query.items() if name != "cursor"} == params
    assert query["cursor"]
    second = client.get(link["url"])
    assert second.status_code == 200
    assert second.json()
    assert {e["id"] for e in second.json()}.isdisjoint(e["id"] for e in response.json())


def test_dates_are_in_the_hubs_form(seeded, client):
    entries = client.get("/api/models", {"full": "true", "limit": 100}).json()
    dates = [e[key] for e in entries for key in ("createdAt", "lastModified") if key in e]
    assert len(dates) > len(entries)
    assert all(HUB_DATE.match(date) for date in dates), dates


def test_a_missing_entry_is_the_hubs_404(seeded, client):
    response = client.get("/api/models/meta/no-such-model")
    assert response.status_code == 404
    assert response["X-Error-Code"] == "RepoNotFound"
    assert response["X-Error-Message"] == "Repository not found"
    assert response.json() == {"error": "Repository not found"}


@pytest.mark.parametrize(
    "path", ["/api/models/meta/code-llama/tree/main", "/api/spaces", "/api/models/"]
)
def test_other_hub_paths_say_what_is_served(seeded, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]


def test_never_a_redirect(seeded, client):
    for path in ("/api/models", "/api/datasets", "/api/models/meta/code-llama"):
        assert client.get(path).status_code == 200


def test_an_unknown_hugging_face_token_reads_as_anonymous(seeded, client):
    headers = {"HTTP_AUTHORIZATION": "Bearer hf_notOneOfOurs"}
    assert client.get("/api/models", **headers).status_code == 200
    assert client.get("/api/models/meta/code-llama", **headers).status_code == 200


def test_a_bad_token_of_ours_is_refused_in_the_hubs_words(seeded, client):
    response = client.get("/api/models", HTTP_AUTHORIZATION="Bearer alc_notAToken")
    assert response.status_code == 401
    assert "token" in response.json()["error"]


def test_the_anonymous_rate_limit_applies(seeded, client, settings):
    settings.CATALOG_ANON_RATE = "2/minute"
    statuses = [client.get("/api/models", {"limit": 1}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = client.get("/api/models/meta/code-llama")
    assert throttled.status_code == 429
    assert throttled["Retry-After"]
    assert throttled.json()["error"]


def test_not_in_the_openapi_schema(seeded, client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert not [path for path in paths if path.startswith(("/api/models", "/api/datasets"))]


@pytest.mark.parametrize(
    "path",
    [
        "/api/models?limit=100&full=true&cardData=true",
        "/api/models?search=llama&filter=license:apache-2.0&filter=en&author=meta",
        "/api/models?filter=dataset:hugging-face/the-stack&sort=createdAt",
        "/api/datasets?limit=100&cardData=true",
        "/api/models/hugging-face/zephyr-7b-beta",
        "/api/datasets/hugging-face/the-stack/revision/main",
    ],
)
def test_queries_are_bounded(seeded, client, django_assert_max_num_queries, path):
    # The match (and its count), the stored cards, the lineage: a list reads no entry rows.
    with django_assert_max_num_queries(6):
        assert client.get(path).status_code == 200


def test_a_longer_page_costs_no_more_queries(seeded, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for limit in (2, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/api/models", {"limit": limit, "cardData": "true"}).json())
        counts.append(len(queries))
    assert counts[0] == counts[1]
