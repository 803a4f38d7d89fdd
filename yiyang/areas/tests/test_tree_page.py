"""The area tree counts the active (在册) elders in reach."""

import pytest
from django.test import Client

from yiyang.elders.choices import ElderStatus

pytestmark = pytest.mark.django_db


def test_the_tree_counts_only_active_elders(world):
    client = Client()
    client.force_login(world.users["street0"])
    community = world.elders["elder0"].community
    before = client.get("/areas/").content.decode()
    shown = f'{community.name} <small class="text-muted">{community.code}</small> ('
    count_before = int(before.split(shown, 1)[1].split(")", 1)[0])
    world.elders["elder0"].status = ElderStatus.DECEASED
    world.elders["elder0"].save(update_fields=["status"])
    after = client.get("/areas/").content.decode()
    assert int(after.split(shown, 1)[1].split(")", 1)[0]) == count_before - 1


def test_the_tree_groups_thousands(world, monkeypatch):
    # A district of the demo's size: 20,000 elders in one community.
    community = world.elders["elder0"].community
    monkeypatch.setattr("yiyang.areas.web.views.active_elder_counts_by_community", lambda user: {community.pk: 20_000})
    client = Client()
    client.force_login(world.users["street0"])
    html = client.get("/areas/").content.decode()
    assert f'{community.name} <small class="text-muted">{community.code}</small> (20,000)' in html
    assert "20000" not in html
