"""The password change page says what is wrong next to the input it is about (and marks it)."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def post(user, **data) -> str:
    client = Client()
    client.force_login(user)
    response = client.post("/password/change/", data)
    assert response.status_code == 400
    return response.content.decode()


def errors_at(html: str, field: str) -> list[str]:
    return re.findall(rf'data-testid="error-{field}">([^<]*)<', html)


def input_of(html: str, field: str) -> str:
    return re.search(rf'<input class="[^"]*" id="id_{field}"', html).group(0)


def test_a_wrong_old_password_is_reported_at_the_old_password(world):
    html = post(world.users["street0"], old_password="wrong", new_password="Xy7$abcdefgh", new_password2="Xy7$abcdefgh")
    assert errors_at(html, "old_password") == ["原密码不正确"]
    assert "is-invalid" in input_of(html, "old_password")
    assert "is-invalid" not in input_of(html, "new_password2")


def test_a_mismatched_repetition_is_reported_at_the_repetition(world):
    html = post(world.users["street0"], old_password="x", new_password="Xy7$abcdefgh", new_password2="other")
    assert errors_at(html, "new_password2") == ["两次输入的新密码不一致"]
    assert "is-invalid" in input_of(html, "new_password2")
