"""What is reachable without signing in shows no personal data: every other URL refuses anonymous
callers (tests/test_permission_matrix.py), and the few public ones are checked here against a
world full of records."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_permission_matrix import PUBLIC_URLS
from yiyang.core.testing import World
from yiyang.devices.tests.test_permission_matrix import PUBLIC_URLS as DEVICE_PUBLIC_URLS

# Public URLs a browser may GET; logout, token, language switch and device push accept POST only, and the
# second-factor step redirects to the login page unless a password step is pending in the session.
GETTABLE = {"login": "/login/", "schema": "/api/schema/", "api-docs": "/api/docs/", "api-redoc": "/api/redoc/",
            "javascript-catalog": "/jsi18n/"}  # fmt: skip


def personal_values(world: World) -> list[str]:
    values: list[str] = []
    for elder in world.elders.values():
        values += [elder.name, elder.national_id, elder.phone]
    for account in world.users.values():
        values += [account.username + '"', account.full_name + "<"]
    return values


def test_every_public_url_is_checked_here():
    assert set(GETTABLE) | {"logout", "api-token", "set_language", "login-second-factor"} | DEVICE_PUBLIC_URLS == (
        PUBLIC_URLS | DEVICE_PUBLIC_URLS
    )
    for name, path in GETTABLE.items():
        assert reverse(name) == path


@pytest.mark.parametrize("name", sorted(GETTABLE))
def test_a_public_page_shows_no_personal_data(world, name):
    response = Client().get(GETTABLE[name])
    assert response.status_code == 200
    text = response.content.decode()
    for value in personal_values(world):
        assert value not in text, (name, value)


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_device_push_shows_nothing_to_an_anonymous_caller(world, method):
    response = getattr(Client(), method)("/api/v1/devices/push/radar/")
    assert response.status_code in (401, 403, 404, 405)
    text = response.content.decode()
    for value in personal_values(world):
        assert value not in text
