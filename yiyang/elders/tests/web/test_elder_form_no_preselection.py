"""The register form preselects no answer to a fact that must be asked: economic status, living
arrangement and household registration start on an empty "please choose" entry, and a form sent
without them is refused at those fields with nothing saved."""

import re

import pytest
from django.test import Client

from yiyang.core.testing import national_id
from yiyang.elders.models import Elder
from yiyang.elders.tests.web.test_elder_form_pages import CREATE_URL, form_data

pytestmark = pytest.mark.django_db

ASKED = ("household_registration", "economic_status", "living_arrangement")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def select_of(html: str, name: str) -> str:
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, name
    return match.group(0)


@pytest.mark.parametrize("name", ASKED)
def test_the_empty_choice_is_selected_on_a_new_form(world, name):
    html = client_for(world.users["street0"]).get(CREATE_URL).content.decode()
    select = select_of(html, name)
    selected = re.findall(r'<option value="([^"]*)"[^>]*selected', select)
    assert selected == [""]
    assert re.search(r'<option value="" selected>请选择</option>', select)


def test_a_form_sent_without_them_is_refused_at_each_field_and_saves_nothing(world):
    data = form_data(world)
    for name in ASKED:
        data[name] = ""
    response = client_for(world.users["street0"]).post(CREATE_URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Elder.objects.filter(national_id=national_id(101)).exists()
    for name, label in zip(ASKED, ("户籍类型", "经济状况", "居住状况"), strict=True):
        errors = re.findall(rf'data-testid="error-{name}">([^<]*)<', html)
        assert errors == [f"请选择{label}"]
        assert "is-invalid" in select_of(html, name)
    assert "is-invalid" not in select_of(html, "community")


def test_the_edit_form_shows_the_recorded_answers(world):
    elder = world.elders["elder0"]
    html = client_for(world.users["street0"]).get(f"/elders/{elder.public_id}/edit/").content.decode()
    for name in ASKED:
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', select_of(html, name))
        assert selected == [getattr(elder, name)]
