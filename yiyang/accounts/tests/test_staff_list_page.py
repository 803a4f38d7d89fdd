"""The account list searches by username or name, filters by role and state, and keeps the filters
when paging."""

import re

import pytest
from django.test import Client

from yiyang.accounts.models import User

pytestmark = pytest.mark.django_db


def usernames(world, query: str) -> list[str]:
    client = Client()
    client.force_login(world.users["bureau"])
    response = client.get(f"/staff/{query}")
    assert response.status_code == 200
    return re.findall(r'data-testid="staff-row">\s*<td><a href="/staff/[^"]+/">([^<]+)</a>', response.content.decode())


def test_search_by_username_prefix_or_name(world):
    User.objects.filter(pk=world.users["helper0"].pk).update(full_name="林小梅")
    assert usernames(world, "?q=street0") == ["street0", "street0_noright", "street0_readonly"]
    assert usernames(world, "?q=小梅") == ["helper0"]


def test_filter_by_role_and_state(world):
    assert usernames(world, "?role=helper") == ["helper0", "helper1"]
    User.objects.filter(pk=world.users["helper1"].pk).update(is_active=False)
    assert usernames(world, "?role=helper&active=0") == ["helper1"]
    assert usernames(world, "?role=helper&active=1") == ["helper0"]
    assert len(usernames(world, "?role=nonsense")) == User.objects.count()  # an unknown role is ignored


def test_paging_keeps_the_filters(world):
    User.objects.bulk_create(
        User(username=f"zz{i:03d}", role="helper", area=world.communities[0][0]) for i in range(60)
    )
    client = Client()
    client.force_login(world.users["bureau"])
    html = client.get("/staff/?role=helper").content.decode()
    assert html.count('data-testid="staff-row"') == 50
    assert 'data-testid="staff-count">共 62 个账号<' in html
    assert 'href="?role=helper&page=2"' in html
    assert "第 1 / 2 页，共 62 条" in html
