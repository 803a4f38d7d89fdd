import pytest
from rest_framework.test import APIClient

from yiyang.accounts.access import user_perms
from yiyang.accounts.models import User
from yiyang.accounts.permissions import default_permissions
from yiyang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def post(world, as_user, **data):
    client = APIClient()
    client.force_authenticate(world.users[as_user])
    return client.post("/api/v1/users/", data, format="json")


def test_bureau_creates_a_station_account_with_role_defaults(world):
    response = post(
        world,
        "bureau",
        username="zhan1",
        password="Strong-pass-9",
        full_name="站长",
        role="station_staff",
        area=str(world.communities[1][0].public_id),
    )
    assert response.status_code == 201, response.json()
    account = User.objects.get(username="zhan1")
    assert (account.permissions_granted, account.permissions_withdrawn) == ([], [])
    assert user_perms(account) == frozenset(default_permissions("station_staff"))
    assert account.check_password("Strong-pass-9")
    assert AuditEvent.objects.filter(entity_type="user", entity_id=str(account.public_id), action="create").count() == 1


def test_every_problem_is_reported_and_nothing_written(world):
    before = User.objects.count()
    response = post(
        world,
        "bureau",
        username="street0",
        password="123",
        full_name="x",
        role="street_staff",
        area=str(world.communities[0][0].public_id),
    )
    assert response.status_code == 400
    fields = sorted(e["field"] for e in response.json()["errors"])
    assert fields == ["area", "password", "username"]
    assert User.objects.count() == before


def test_institution_role_needs_an_institution(world):
    response = post(
        world,
        "bureau",
        username="yy",
        password="Strong-pass-9",
        full_name="x",
        role="institution_staff",
        organisation=str(world.orgs["station0"].public_id),
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("organisation", "invalid_kind")]


def test_me_describes_scope_and_permissions(world):
    client = APIClient()
    client.force_authenticate(world.users["helper0"])
    body = client.get("/api/v1/me/").json()
    assert body["scope"] == "helper"
    assert body["permissions"] == ["alerts.handle", "alerts.view", "assessments.view", "devices.view", "elders.view"]


def test_token_authentication_works_for_the_api(world):
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "street0", "password": "Test-pass-123"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/elders/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_bad_token_credentials_name_the_reason(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "street0", "password": "wrong"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "__all__"
