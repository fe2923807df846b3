"""The member directory: every member, as people read names, filterable by kind and country."""

import re

import pytest

from catalog.models import Organization, OrganizationKind
from tests.factories import make_artifact, make_organization

pytestmark = pytest.mark.django_db


def member_names(body: str) -> list[str]:
    return re.findall(r'class="member-name" href="[^"]+">([^<]+)</a>', body)


def test_the_directory_lists_every_member_as_people_read_names(client, seeded):
    body = client.get("/organizations/").content.decode()
    names = member_names(body)
    assert len(names) == Organization.objects.count()
    assert names == sorted(names, key=str.lower)
    assert f"{len(names)} members" in body


def test_members_filter_by_kind_country_and_founding(client):
    make_organization("uni-a", name="University A", kind=OrganizationKind.UNIVERSITY, country="CH")
    make_organization("uni-b", name="university B", kind=OrganizationKind.UNIVERSITY, country="JP")
    make_organization(
        "firm", name="Firm", kind=OrganizationKind.COMPANY, country="CH", founding_member=True
    )
    make_artifact("shared", lead=Organization.objects.get(slug="firm"))

    body = client.get("/organizations/", {"kind": "university"}).content.decode()
    assert member_names(body) == ["University A", "university B"]
    assert "2 members match these filters" in body
    # Countries are counted under the chosen kind: one university in each.
    assert '<option value="CH">Switzerland (1)</option>' in body

    body = client.get("/organizations/", {"country": "CH"}).content.decode()
    assert member_names(body) == ["Firm", "University A"]
    assert "1 published entry" in body

    body = client.get("/organizations/", {"founding": "on"}).content.decode()
    assert member_names(body) == ["Firm"]


def test_a_bad_filter_says_what_is_wrong(client):
    response = client.get("/organizations/", {"kind": "robot"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Show every member" in response.content.decode()


def test_the_directory_costs_three_queries_however_many_members(client, django_assert_num_queries):
    for number in range(12):
        make_artifact(lead=make_organization(f"member-{number}", country="US"))
    with django_assert_num_queries(3):
        client.get("/organizations/", {"country": "US"})


def test_the_navigation_leads_to_the_directory(client, seeded):
    body = client.get("/").content.decode()
    assert 'href="/organizations/">Members</a>' in body


def test_a_members_entries_sort_as_people_read_names(client):
    member = make_organization("reader")
    for name in ("Zephyr", "vLLM", "AMD-OLMo", "Adversarial"):
        make_artifact(name.lower(), name=name, lead=member, kind="tool")
    body = client.get("/organizations/reader/").content.decode()
    listed = re.findall(r'<li><a href="/artifacts/reader/[^"]+">([^<]+)</a>', body)
    assert listed == ["Adversarial", "AMD-OLMo", "vLLM", "Zephyr"]


def test_a_member_without_kind_or_country_reads_cleanly(client):
    make_organization("plain", name="Plain", kind="", country="")
    body = client.get("/organizations/").content.decode()
    line = body[body.index(">Plain</a>") :]
    line = line[: line.index("</li>")]
    assert '<span class="muted">no published entries yet</span>' in line
