import pytest
from rest_framework.test import APIClient

from yiyang.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_account_display_name_of_format_characters_is_refused(world):
    client = APIClient()
    client.force_authenticate(world.users["bureau"])
    response = client.post(
        "/api/v1/users/",
        {"username": "zhan9", "password": "Strong-pass-9", "full_name": "\u2066\u2069站长", "role": "station_staff",
         "area": str(world.communities[1][0].public_id)},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("full_name", "unprintable")]
    assert not User.objects.filter(username="zhan9").exists()
