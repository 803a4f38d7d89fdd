"""An area, organisation or elder filter outside the caller's reach answers 404 (as a record outside
it does) in pages, API and exports alike; never an unfiltered list, never a silently empty one."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.core.testing import World, grant_permissions


def street1(w: World) -> str:
    return str(w.streets[1].public_id)


def community1(w: World) -> str:
    return str(w.communities[1][0].public_id)


def institution1(w: World) -> str:
    return str(w.orgs["institution1"].public_id)


def elder1(w: World) -> str:
    return str(w.elders["elder1"].public_id)


UNKNOWN = "00000000-0000-4000-8000-000000000000"

# (url, query key, value for street0) — street 0's account asks for street 1's area or records.
OUT_OF_REACH = [
    ("/api/v1/elders/", "street", street1),
    ("/api/v1/elders/", "community", community1),
    ("/api/v1/elders/export/", "street", street1),
    ("/api/v1/homes/", "street", street1),
    ("/api/v1/homes/", "community", community1),
    ("/api/v1/organisations/", "street", street1),
    ("/api/v1/organisations/", "community", community1),
    ("/api/v1/admissions/", "organisation", institution1),
    ("/api/v1/alerts/", "street", street1),
    ("/api/v1/assessments/", "elder", elder1),
    ("/elders/", "street", street1),
    ("/elders/", "community", community1),
    ("/elders/export/", "street", street1),
    ("/elders/export/", "community", community1),
    ("/organisations/", "street", street1),
    ("/organisations/", "community", community1),
    ("/organisations/export/", "street", street1),
    ("/alerts/", "street", street1),
    ("/alerts/stream/", "street", street1),
]


def _client(world: World, url: str) -> Any:
    account = grant_permissions(world.users["street0"], "alerts.view", "elders.export")
    if url.startswith("/api/"):
        client = APIClient()
        client.force_authenticate(account)
    else:
        client = Client()
        client.force_login(account)
    return client


@pytest.mark.parametrize(("url", "key", "value"), OUT_OF_REACH, ids=[f"{u}?{k}" for u, k, _ in OUT_OF_REACH])
def test_a_filter_outside_the_reach_answers_404(world, url, key, value):
    response = _client(world, url).get(url, {key: value(world)})
    assert response.status_code == 404, response.content[:300]
    if url.startswith("/api/") and not url.endswith("export/"):
        body = response.json()
        assert body["status"] == 404
        assert [e["field"] for e in body["errors"]] == [key]


@pytest.mark.parametrize(("url", "key", "value"), OUT_OF_REACH, ids=[f"{u}?{k}" for u, k, _ in OUT_OF_REACH])
def test_an_unknown_id_answers_the_same_404(world, url, key, value):
    response = _client(world, url).get(url, {key: UNKNOWN})
    assert response.status_code == 404, response.content[:300]


@pytest.mark.parametrize("url", ["/elders/", "/organisations/", "/alerts/", "/elders/export/"])
def test_a_malformed_area_id_on_a_page_answers_404_rather_than_being_ignored(world, url):
    response = _client(world, url).get(url, {"street": "not-an-id"})
    assert response.status_code == 404


IN_REACH = [
    ("/api/v1/elders/", "street", lambda w: str(w.streets[0].public_id)),
    ("/api/v1/elders/", "community", lambda w: str(w.communities[0][0].public_id)),
    ("/api/v1/homes/", "community", lambda w: str(w.communities[0][0].public_id)),
    ("/api/v1/organisations/", "street", lambda w: str(w.streets[0].public_id)),
    ("/api/v1/admissions/", "organisation", lambda w: str(w.orgs["institution0"].public_id)),
    ("/api/v1/alerts/", "street", lambda w: str(w.streets[0].public_id)),
    ("/api/v1/assessments/", "elder", lambda w: str(w.elders["elder0"].public_id)),
    ("/elders/", "street", lambda w: str(w.streets[0].public_id)),
    ("/organisations/", "community", lambda w: str(w.communities[0][0].public_id)),
    ("/alerts/", "street", lambda w: str(w.streets[0].public_id)),
]


@pytest.mark.parametrize(("url", "key", "value"), IN_REACH, ids=[f"{u}?{k}" for u, k, _ in IN_REACH])
def test_a_filter_in_reach_still_filters(world, url, key, value):
    response = _client(world, url).get(url, {key: value(world)})
    assert response.status_code == 200, response.content[:300]


def test_homes_filter_by_community(world):
    from yiyang.elders.models import Home

    homes = [
        Home.objects.create(address=f"路{c}号", community=community, street=world.streets[0], district=world.district)
        for c, community in enumerate(world.communities[0])
    ]
    response = _client(world, "/api/v1/homes/").get(
        "/api/v1/homes/", {"community": str(world.communities[0][1].public_id)}
    )
    assert [row["id"] for row in response.json()["results"]] == [str(homes[1].public_id)]


def test_a_district_officer_may_filter_any_street_of_the_district(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    response = client.get("/api/v1/elders/", {"street": street1(world)})
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"elder1老人", "resident1老人"}
