"""The OpenAPI schema tells the truth: every documented response is what the API really
answers, and every answer the API gives is documented.

The schema is read as it is served (`/api/schema/?format=json`), made strict (an object
that declares its properties may have no others; OpenAPI's `nullable` becomes JSON
Schema's null type) and real responses are validated against it with jsonschema. The
table CASES exercises every (path, method, status) the schema documents, and nothing
it does not.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from urllib.parse import urlsplit

import jsonschema
import pytest
from django.test import Client

from catalog.api.transitions import transition_path
from catalog.identifiers import ID_PART_PATTERN, ORGANIZATION_SLUG_PATTERN
from catalog.members import create_curator
from catalog.models import Artifact, ArtifactStatus, MembershipRole, Organization
from catalog.tokens import issue_token
from catalog.workflow import CURATORS, EDITORS, TRANSITIONS
from tests.factories import make_artifact, make_member, make_organization

pytestmark = pytest.mark.django_db

# (documented path, status, request path, query parameters)
CASES = [
    ("/api/v1/", 200, "/api/v1/", {}),
    ("/api/v1/artifacts/", 200, "/api/v1/artifacts/", {}),
    (
        "/api/v1/artifacts/",
        200,
        "/api/v1/artifacts/",
        {"q": "llama", "kind": "model", "facets": "kind,organization,license,task,language"},
    ),
    (
        "/api/v1/artifacts/",
        200,
        "/api/v1/artifacts/",
        {"kind": "dataset", "has_huggingface": "true", "ordering": "-released", "page_size": 100},
    ),
    ("/api/v1/artifacts/", 200, "/api/v1/artifacts/", {"kind": "tool", "page_size": 100}),
    ("/api/v1/artifacts/", 200, "/api/v1/artifacts/", {"q": "zzzqqqxxnothing"}),
    ("/api/v1/artifacts/", 400, "/api/v1/artifacts/", {"page_size": "0", "kind": "spaceship"}),
    ("/api/v1/artifacts/", 404, "/api/v1/artifacts/", {"page": "999"}),
    ("/api/v1/artifacts/{namespace}/{slug}/", 200, "/api/v1/artifacts/meta/llama-2/", {}),
    (
        "/api/v1/artifacts/{namespace}/{slug}/",
        200,
        "/api/v1/artifacts/hugging-face/zephyr-7b-beta/",
        {},
    ),
    ("/api/v1/artifacts/{namespace}/{slug}/", 200, "/api/v1/artifacts/hugging-face/the-stack/", {}),
    ("/api/v1/artifacts/{namespace}/{slug}/", 200, "/api/v1/artifacts/ibm/docling/", {}),
    ("/api/v1/artifacts/{namespace}/{slug}/", 404, "/api/v1/artifacts/meta/no-such-thing/", {}),
    (
        "/api/v1/artifacts/{namespace}/{slug}/lineage/",
        200,
        "/api/v1/artifacts/meta/code-llama/lineage/",
        {"depth": "3"},
    ),
    (
        "/api/v1/artifacts/{namespace}/{slug}/lineage/",
        400,
        "/api/v1/artifacts/meta/code-llama/lineage/",
        {"depth": "zero"},
    ),
    (
        "/api/v1/artifacts/{namespace}/{slug}/lineage/",
        404,
        "/api/v1/artifacts/meta/no-such-thing/lineage/",
        {},
    ),
    (
        "/api/v1/artifacts/{namespace}/{slug}/croissant",
        200,
        "/api/v1/artifacts/hugging-face/the-stack/croissant",
        {},
    ),
    (
        "/api/v1/artifacts/{namespace}/{slug}/croissant",
        404,
        "/api/v1/artifacts/meta/llama-2/croissant",
        {},
    ),
    ("/api/v1/organizations/", 200, "/api/v1/organizations/", {}),
    ("/api/v1/organizations/", 200, "/api/v1/organizations/", {"kind": "university"}),
    ("/api/v1/organizations/", 400, "/api/v1/organizations/", {"kind": "pirate"}),
    ("/api/v1/organizations/{slug}/", 200, "/api/v1/organizations/ibm/", {}),
    ("/api/v1/organizations/{slug}/", 404, "/api/v1/organizations/nobody/", {}),
    ("/api/v1/licenses/", 200, "/api/v1/licenses/", {}),
    ("/api/v1/taxonomy/", 200, "/api/v1/taxonomy/", {}),
]

# Every throttled endpoint answers 429 once the client is over its rate.
THROTTLED_CASES = [
    ("/api/v1/", "/api/v1/"),
    ("/api/v1/artifacts/", "/api/v1/artifacts/"),
    ("/api/v1/artifacts/{namespace}/{slug}/", "/api/v1/artifacts/meta/llama-2/"),
    ("/api/v1/artifacts/{namespace}/{slug}/lineage/", "/api/v1/artifacts/meta/llama-2/lineage/"),
    (
        "/api/v1/artifacts/{namespace}/{slug}/croissant",
        "/api/v1/artifacts/hugging-face/the-stack/croissant",
    ),
    ("/api/v1/organizations/", "/api/v1/organizations/"),
    ("/api/v1/organizations/{slug}/", "/api/v1/organizations/ibm/"),
    ("/api/v1/licenses/", "/api/v1/licenses/"),
    ("/api/v1/taxonomy/", "/api/v1/taxonomy/"),
    ("/api/v1/organizations/{slug}/members/", "/api/v1/organizations/ibm/members/"),
    (
        "/api/v1/organizations/{slug}/members/{username}/",
        "/api/v1/organizations/ibm/members/someone/",
    ),
]

# Every endpoint refuses a token of ours that is no good (an unknown one here).
UNKNOWN_TOKEN = "alc_" + "x" * 43


# ------------------------------------------------------------------------------
# The served schema, made strict for validation.
# ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def strict(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` admits null, and an object that
    declares its properties admits no others (so a field the API adds without
    documenting it fails, as does a documented one it leaves out, through `required`)."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if "type" in node and "enum" not in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


FORMATS = jsonschema.FormatChecker(formats=())


# Formats apply to strings only (a null is checked by the type).
@FORMATS.checks("uri", raises=ValueError)
def _is_absolute_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in {"http", "https"} and parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def documented_response(schema: dict, path: str, status: int, method: str = "get") -> dict:
    operation = schema["paths"][path][method]
    assert str(status) in operation["responses"], f"{method} {path} does not document {status}"
    return operation["responses"][str(status)]


def validate(schema: dict, path: str, response, method: str = "get") -> None:
    documented = documented_response(schema, path, response.status_code, method)
    # JSON everywhere, but for documents in another JSON format (Croissant's JSON-LD).
    assert response["Content-Type"] in documented["content"]
    body_schema = documented["content"][response["Content-Type"]]["schema"]
    validator = jsonschema.Draft202012Validator(
        {**strict(body_schema), "components": strict(schema["components"])},
        format_checker=FORMATS,
    )
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10]
    )
    for header in documented.get("headers", {}):
        assert response.has_header(header), f"{path} {response.status_code} lacks {header}"


# ------------------------------------------------------------------------------
# Real responses validate.
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "status", "url", "params"), CASES)
def test_real_responses_validate_against_the_schema(
    client, schema, seeded_catalog, path, status, url, params
):
    response = client.get(url, params, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content[:500]
    validate(schema, path, response)


@pytest.mark.parametrize(("path", "url"), THROTTLED_CASES)
def test_throttled_responses_validate_against_the_schema(client, schema, settings, path, url):
    settings.CATALOG_ANON_RATE = "1/minute"
    client.get("/api/v1/taxonomy/")
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    validate(schema, path, response)


@pytest.mark.parametrize(("path", "url"), THROTTLED_CASES)
def test_refused_tokens_validate_against_the_schema(client, schema, path, url):
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {UNKNOWN_TOKEN}")
    assert response.status_code == 401
    validate(schema, path, response)


def test_a_members_draft_in_the_list_validates(client, schema):
    organization = make_organization()
    make_artifact(lead=organization, status="draft", kind="dataset")
    client.force_login(make_member(organization, "editor"))
    response = client.get("/api/v1/artifacts/", {"status": "draft"})
    assert response.json()["count"] == 1
    validate(schema, "/api/v1/artifacts/", response)


def _query_parameters(schema: dict, path: str) -> dict:
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize(
    "path", ["/api/v1/artifacts/", "/api/v1/artifacts/{namespace}/{slug}/lineage/"]
)
def test_a_blank_parameter_is_what_the_schema_says(client, schema, seeded_catalog, path):
    """A blank value (`page=`, as a form with an empty field sends it) is allowed where
    the schema says `allowEmptyValue` and read as not given; elsewhere it is a 400
    naming the parameter."""
    url = path.format(namespace="meta", slug="code-llama")
    for name, parameter in _query_parameters(schema, path).items():
        response = client.get(url, {name: ""})
        if parameter.get("allowEmptyValue"):
            assert response.status_code == 200, (name, response.content[:300])
        else:
            assert response.status_code == 400, name
            assert list(response.json()) == [name]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/artifacts/", "page"),
        ("/api/v1/artifacts/", "page_size"),
        ("/api/v1/artifacts/{namespace}/{slug}/lineage/", "depth"),
    ],
)
def test_documented_bounds_are_the_checked_ones(client, schema, seeded_catalog, path, name):
    bounds = _query_parameters(schema, path)[name]["schema"]
    url = path.format(namespace="meta", slug="code-llama")
    assert client.get(url, {name: bounds["minimum"]}).status_code == 200
    assert list(client.get(url, {name: bounds["minimum"] - 1}).json()) == [name]
    if "maximum" in bounds:
        assert client.get(url, {name: bounds["maximum"]}).status_code == 200
        assert list(client.get(url, {name: bounds["maximum"] + 1}).json()) == [name]


def test_ids_in_paths_follow_the_id_rule(schema, seeded_catalog):
    """The parts of an id in a path are documented with the pattern every id follows."""
    patterns = {
        (path, p["name"]): p["schema"].get("pattern")
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for p in operation.get("parameters", [])
        if p["in"] == "path"
    }
    assert patterns
    for (path, name), pattern in patterns.items():
        if path.startswith("/api/v1/organizations/"):
            assert pattern == ORGANIZATION_SLUG_PATTERN, (path, name)
            values = Organization.objects.values_list("slug", flat=True)
        else:
            assert pattern == ID_PART_PATTERN, (path, name)
            values = Artifact.objects.values_list(name, flat=True)
        assert all(re.fullmatch(pattern, value) for value in values), (path, name)


def test_strict_validation_catches_a_missing_or_mistyped_field(client, schema, seeded_catalog):
    """The check itself can fail: a result without `kind`, or with a number for a
    name, or with an undocumented field, does not validate."""
    response = client.get("/api/v1/artifacts/meta/llama-2/")
    body = response.json()
    path = "/api/v1/artifacts/{namespace}/{slug}/"
    body_schema = documented_response(schema, path, 200)["content"]["application/json"]
    validator = jsonschema.Draft202012Validator(
        {**strict(body_schema["schema"]), "components": strict(schema["components"])},
        format_checker=FORMATS,
    )
    assert validator.is_valid(body)
    for broken in (
        {key: value for key, value in body.items() if key != "kind"},
        {**body, "name": 7},
        {**body, "surprise": "field"},
        {**body, "links": {"huggingface": "huggingface.co/x"}},
    ):
        assert not validator.is_valid(copy.deepcopy(broken))


# ------------------------------------------------------------------------------
# The schema documents what there is, and only that.
# ------------------------------------------------------------------------------
def test_every_documented_response_is_exercised(schema):
    documented = {
        (path, method, int(status))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    exercised = {(path, "get", status) for path, status, _, _ in CASES}
    exercised |= {(path, "get", 429) for path, _ in THROTTLED_CASES}
    exercised |= {(path, "get", 401) for path, _ in THROTTLED_CASES}
    exercised |= {(path, "post", status) for path, status in WRITE_CASES}
    exercised |= {(ENTRY, method, status) for method, status in ENTRY_CASES}
    exercised |= {("/api/v1/artifacts/", "post", status) for status in CREATE_STATUSES}
    exercised |= {(path, method, status) for path, method, status in MEMBER_CASES}
    # test_every_operation_answers_a_documented_503_while_the_database_is_unreachable
    exercised |= {(path, method, 503) for path, method, _ in documented}
    assert documented == exercised


# Every operation, asked by a client with a token while the database is unreachable: the
# token is looked up first, so each one meets the outage (tests/test_outages.py has why).
UNREACHABLE_DATABASE_PROBE = """
import json, os, sys
from django.test import Client
client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=os.environ["PROBE_TOKEN"])
answers = []
for method, url in json.load(sys.stdin):
    response = getattr(client, method)(url, {} if method == "get" else "{}", "application/json")
    answers.append({
        "status": response.status_code,
        "content_type": response["Content-Type"],
        "headers": {name: value for name, value in response.items()},
        "body": response.content.decode(),
    })
print(json.dumps(answers))
"""
EXAMPLE_PATH_PARTS = {"{namespace}": "meta", "{slug}": "llama-2", "{username}": "someone"}


def answers_without_a_database(requests: list[tuple[str, str]]) -> list[dict]:
    """Each (method, url) asked of the site in a process whose database is a port
    nothing listens on: a real connection failure, not a mock."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         UNREACHABLE_DATABASE_PROBE],
        cwd=Path(__file__).resolve().parent.parent,
        input=json.dumps(requests),
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
             "PGCONNECT_TIMEOUT": "2", "PROBE_TOKEN": f"Bearer {UNKNOWN_TOKEN}",
             "DEBUG": "false", "ALLOWED_HOSTS": "testserver"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class Answered:
    """A recorded answer, as `validate` reads a response."""

    def __init__(self, answer: dict) -> None:
        self.status_code = answer["status"]
        self._headers = answer["headers"]
        self._body = answer["body"]

    def __getitem__(self, header: str) -> str:
        return self._headers[header]

    def has_header(self, header: str) -> bool:
        return header in self._headers

    def json(self):
        import json

        return json.loads(self._body)


def test_every_operation_answers_a_documented_503_while_the_database_is_unreachable(schema):
    operations = [(path, method) for path, methods in schema["paths"].items() for method in methods]
    requests = []
    for path, method in operations:
        url = path
        for placeholder, example in EXAMPLE_PATH_PARTS.items():
            url = url.replace(placeholder, example)
        requests.append((method, url))
    for (path, method), answer in zip(
        operations, answers_without_a_database(requests), strict=True
    ):
        assert answer["status"] == 503, (method, path, answer["body"][:300])
        assert answer["headers"]["Retry-After"] == "5"
        validate(schema, path, Answered(answer), method)


def test_public_endpoints_show_no_lock(schema):
    """Anonymous reads are allowed, so no read requires a security scheme."""
    assert "security" not in schema
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is not None:
            assert operation.get("security", [{}]) in ([], [{}]), path


def test_writes_show_the_token_lock(schema):
    writes = [
        (path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method != "get"
    ]
    assert writes
    for path, operation in writes:
        assert operation["security"] == [{"apiToken": []}]
        if_match = [p for p in operation["parameters"] if p["name"] == "If-Match"]
        if path == "/api/v1/artifacts/":  # a creation: there is nothing to match yet
            assert not if_match
            assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        elif path.startswith("/api/v1/organizations/"):
            # A membership's one field is its role, and every write sets it whole (or
            # removes the row): there is no other field a writer could overwrite unseen.
            assert not if_match, path
        else:
            assert if_match, path
            assert if_match[0]["required"], path


def test_the_list_is_documented_as_one_page_of_entries(schema):
    response = documented_response(schema, "/api/v1/artifacts/", 200)
    ref = response["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Artifact"}
    assert "Link" in response["headers"]
    assert "example.org" not in str(schema)


def test_errors_are_documented_with_their_shape(schema):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if status.startswith("2"):
                    continue
                assert response["description"], (path, status)
                assert "application/json" in response["content"], (path, status)
    throttled = documented_response(schema, "/api/v1/artifacts/", 429)
    assert "Retry-After" in throttled["headers"]
    unavailable = documented_response(schema, "/api/v1/artifacts/", 503)
    assert "Retry-After" in unavailable["headers"]


# ------------------------------------------------------------------------------
# Writes: every transition, every answer it documents.
# ------------------------------------------------------------------------------
WRITE_STATUSES = (200, 400, 401, 403, 404, 409, 412, 413, 428, 429)
WRITE_CASES = [
    (f"/api/v1/artifacts/{{namespace}}/{{slug}}/{transition_path(t)}/", status)
    for t in TRANSITIONS.values()
    for status in WRITE_STATUSES
]


def _taker(transition, organization):
    """Someone the workflow lets take the transition, with a token for every scope."""
    if transition.allowed == CURATORS:
        user = create_curator("curator", password=None)
        scopes = ["read", "write", "submit", "publish"]
    else:
        role = MembershipRole.EDITOR if transition.allowed == EDITORS else MembershipRole.ADMIN
        user = make_member(organization, role, "member")
        scopes = ["read", "write", "submit"]
    full = issue_token(user=user, name="ci", organizations=[organization], scopes=scopes)
    read = issue_token(user=user, name="ro", organizations=[organization], scopes=["read"])
    return full.secret, read.secret


@pytest.mark.parametrize(("path", "status"), WRITE_CASES)
def test_write_responses_validate_against_the_schema(client, schema, settings, path, status):
    transition = TRANSITIONS[path.rstrip("/").rsplit("/", 1)[1].replace("-", "_")]
    organization = make_organization("writers")
    source = transition.sources[0]
    if status == 409:  # a status the transition does not start from
        source = (
            ArtifactStatus.PUBLISHED if source == ArtifactStatus.DRAFT else ArtifactStatus.DRAFT
        )
    fields = {"withdrawn_reason": "Gone."} if source == ArtifactStatus.WITHDRAWN else {}
    entry = make_artifact("granite", lead=organization, status=source, **fields)
    secret, read_only = _taker(transition, organization)
    url = f"/api/v1/artifacts/writers/granite/{transition_path(transition)}/"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_IF_MATCH": entry.etag}
    body = {"note": "A note."}
    if status == 400:
        body = {"surprise": "field"}
    elif status == 413:
        body = {"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    elif status == 401:
        del headers["HTTP_AUTHORIZATION"]
    elif status == 403:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {read_only}"
    elif status == 404:
        url = url.replace("granite", "no-such-thing")
    elif status == 412:
        headers["HTTP_IF_MATCH"] = '"0.0"'
    elif status == 428:
        del headers["HTTP_IF_MATCH"]
    elif status == 429:
        settings.CATALOG_TOKEN_RATE = "1/minute"
        client.get("/api/v1/taxonomy/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.post(url, body, "application/json", **headers)
    assert response.status_code == status, response.content[:500]
    validate(schema, path, response, "post")


ENTRY = "/api/v1/artifacts/{namespace}/{slug}/"
ENTRY_CASES = [
    *(
        (method, status)
        for method in ("patch", "put")
        for status in WRITE_STATUSES
        if status != 409
    ),
    *(("delete", status) for status in (204, 401, 403, 404, 409, 412, 428, 429)),
]


@pytest.mark.parametrize(("method", "status"), ENTRY_CASES)
def test_entry_write_responses_validate_against_the_schema(
    client, schema, settings, method, status
):
    organization = make_organization("writers")
    user = make_member(organization, MembershipRole.EDITOR, "member")
    secret = issue_token(
        user=user, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    read_only = issue_token(
        user=user, name="ro", organizations=[organization], scopes=["read"]
    ).secret
    entry_status = ArtifactStatus.PUBLISHED if status == 409 else ArtifactStatus.DRAFT
    entry = make_artifact("granite", lead=organization, status=entry_status)
    url = "/api/v1/artifacts/writers/granite/"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_IF_MATCH": entry.etag}
    body = {"name": "Granite", "summary": "A model."}
    if status == 400:
        body = {"status": "published"}
    elif status == 413:
        body["description"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    elif status == 401:
        del headers["HTTP_AUTHORIZATION"]
    elif status == 403:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {read_only}"
    elif status == 404:
        url = url.replace("granite", "no-such-thing")
    elif status == 412:
        headers["HTTP_IF_MATCH"] = '"0.0"'
    elif status == 428:
        del headers["HTTP_IF_MATCH"]
    elif status == 429:
        settings.CATALOG_TOKEN_RATE = "1/minute"
        client.get("/api/v1/taxonomy/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    call = getattr(client, method)
    if method == "delete":
        response = call(url, **headers)
    else:
        response = call(url, body, "application/json", **headers)
    assert response.status_code == status, response.content[:500]
    if status == 204:
        documented_response(schema, ENTRY, 204, "delete")
        assert response.content == b""
        return
    validate(schema, ENTRY, response, method)


CREATE_STATUSES = (201, 400, 401, 403, 413, 422, 429)


@pytest.mark.parametrize("status", CREATE_STATUSES)
def test_create_responses_validate_against_the_schema(client, schema, settings, status):
    organization = make_organization("writers")
    make_organization("others")
    user = make_member(organization, MembershipRole.EDITOR, "member")
    secret = issue_token(
        user=user, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {
        "slug": "granite",
        "kind": "model",
        "name": "Granite",
        "summary": "A model.",
        "lead_organization": "writers",
    }
    if status == 400:
        body["status"] = "published"
    elif status == 413:
        body["description"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    elif status == 401:
        del headers["HTTP_AUTHORIZATION"]
    elif status == 403:
        body["lead_organization"] = "others"
    elif status == 422:
        headers["HTTP_IDEMPOTENCY_KEY"] = "k"
        client.post("/api/v1/artifacts/", {**body, "slug": "first"}, "application/json", **headers)
    elif status == 429:
        settings.CATALOG_TOKEN_RATE = "1/minute"
        client.get("/api/v1/taxonomy/", **headers)
    response = client.post("/api/v1/artifacts/", body, "application/json", **headers)
    assert response.status_code == status, response.content[:500]
    validate(schema, "/api/v1/artifacts/", response, "post")


# ------------------------------------------------------------------------------
# An organization's members: every answer each operation documents.
# ------------------------------------------------------------------------------
MEMBERS = "/api/v1/organizations/{slug}/members/"
MEMBER = "/api/v1/organizations/{slug}/members/{username}/"
MEMBER_CASES = [
    *((MEMBERS, "get", status) for status in (200, 404)),
    *((MEMBER, "get", status) for status in (200, 404)),
    *((MEMBERS, "post", status) for status in (201, 400, 401, 403, 404, 413, 429)),
    *((MEMBER, "patch", status) for status in (200, 400, 401, 403, 404, 409, 413, 429)),
    *((MEMBER, "delete", status) for status in (204, 401, 403, 404, 409, 429)),
]


@pytest.mark.parametrize(("path", "method", "status"), MEMBER_CASES)
def test_member_responses_validate_against_the_schema(
    client, schema, settings, path, method, status
):
    organization = make_organization("writers")
    admin = make_member(organization, MembershipRole.ADMIN, "boss")
    make_member(organization, MembershipRole.EDITOR, "member")
    make_member(make_organization("others"), MembershipRole.EDITOR, "newcomer")
    secret = issue_token(
        user=admin, name="ci", organizations=[organization], scopes=["read", "write"]
    ).secret
    read_only = issue_token(
        user=admin, name="ro", organizations=[organization], scopes=["read"]
    ).secret
    url = "/api/v1/organizations/writers/members/"
    if path == MEMBER:
        url += "boss/" if status == 409 else "member/"
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {"username": "newcomer", "role": "viewer"} if method == "post" else {"role": "viewer"}
    if status == 400:
        body = {**body, "created_at": "2020-01-01T00:00:00Z"}
    elif status == 413:
        body = {**body, "role": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    elif status == 401:
        del headers["HTTP_AUTHORIZATION"]
    elif status == 403:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {read_only}"
    elif status == 404 and method == "get":
        del headers["HTTP_AUTHORIZATION"]  # the public does not see members
    elif status == 404:
        url = url.replace("writers", "nobody")
    elif status == 429:
        settings.CATALOG_TOKEN_RATE = "1/minute"
        client.get("/api/v1/taxonomy/", **headers)
    if method in ("get", "delete"):
        response = getattr(client, method)(url, **headers)
    else:
        response = getattr(client, method)(url, body, "application/json", **headers)
    assert response.status_code == status, response.content[:500]
    if status == 204:
        documented_response(schema, path, 204, "delete")
        assert response.content == b""
        return
    validate(schema, path, response, method)


@pytest.mark.parametrize(
    ("path", "method", "url"),
    [
        ("/api/v1/artifacts/", "post", "/api/v1/artifacts/"),
        (ENTRY, "patch", "/api/v1/artifacts/writers/granite/"),
        (ENTRY, "put", "/api/v1/artifacts/writers/granite/"),
        (
            "/api/v1/artifacts/{namespace}/{slug}/submit/",
            "post",
            "/api/v1/artifacts/writers/granite/submit/",
        ),
    ],
)
@pytest.mark.parametrize("body", [b"\x12", b"{", b"\xde\x3f\xff"])
def test_a_body_that_is_not_json_answers_the_documented_400(
    client, schema, path, method, url, body
):
    """As every bad body is answered: the reason, under non_field_errors."""
    organization = make_organization("writers")
    user = make_member(organization, MembershipRole.EDITOR, "member")
    secret = issue_token(
        user=user, name="ci", organizations=[organization], scopes=["read", "write", "submit"]
    ).secret
    entry = make_artifact("granite", lead=organization, status=ArtifactStatus.DRAFT)
    response = getattr(client, method)(
        url,
        body,
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IF_MATCH=entry.etag,
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert "JSON parse error" in response.json()["non_field_errors"][0]
    validate(schema, path, response, method)
