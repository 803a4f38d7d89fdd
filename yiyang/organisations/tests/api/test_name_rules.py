import pytest

from yiyang.organisations.models import Organisation
from yiyang.organisations.tests.support import api_client, grant

pytestmark = pytest.mark.django_db


def payload(world, **extra):
    return {
        "kind": "hospital", "name": "第一街道医院", "area": str(world.communities[0][1].public_id),
        "hospital_grade": "2A", "licence_number": "PDY0001", **extra,
    }  # fmt: skip


def test_an_organisation_name_with_a_zero_width_space_is_refused(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    response = client.post("/api/v1/organisations/", payload(world, name="第一\u200b街道医院"), format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("name", "unprintable")]
    assert not Organisation.objects.filter(name__startswith="第一").exists()


def test_an_organisation_name_is_stored_with_white_space_normalised(world):
    client = api_client(grant(world.users["street0"], "organisations.change"))
    response = client.post("/api/v1/organisations/", payload(world, name="第一街道\u3000 医院"), format="json")
    assert response.status_code == 201, response.json()
    assert Organisation.objects.get(public_id=response.json()["id"]).name == "第一街道 医院"
