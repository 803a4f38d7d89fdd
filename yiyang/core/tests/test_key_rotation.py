"""`yiyang keys`: status, re-wrapping under a new KEK, re-encryption under a new DEK, new search key."""

import base64
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from yiyang.core import crypto
from yiyang.core.models import DataKey
from yiyang.elders.models import Elder
from yiyang.elders.selectors import search_q

KEK_OLD = base64.b64encode(bytes(range(32))).decode()
KEK_NEW = base64.b64encode(bytes(range(100, 132))).decode()
DEV = f"{crypto.DEV_KEK_ID}:{base64.b64encode(crypto.DEV_KEK).decode()}"  # wraps the migration's keys


@pytest.fixture(autouse=True)
def own_keyring(settings):
    saved = (dict(crypto._cache.by_id), dict(crypto._cache.active), crypto._cache.keyring)
    settings.YIYANG_KEY_CACHE_SECONDS = 0
    settings.YIYANG_MASTER_KEYS = f"old:{KEK_OLD},{DEV}"
    crypto.reset_cache()
    yield
    crypto.reset_cache()
    crypto._cache.by_id.update(saved[0])
    crypto._cache.active.update(saved[1])
    crypto._cache.keyring = saved[2]


@pytest.fixture
def keyed_world(world):
    """The world's elders re-encrypted under keys wrapped by the test keyring."""
    DataKey.objects.update(active=False)
    crypto.reset_cache()
    call_command("keys", "rotate-dek", stdout=StringIO())
    call_command("keys", "rotate-search-key", stdout=StringIO())
    return world


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM elders_elder WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_status_lists_key_ids_and_data_keys_but_no_key_material(keyed_world):
    out = keys("status")
    status = json.loads(out)
    assert status["active_kek"] == "old" and status["keyring_ids"] == [crypto.DEV_KEK_ID, "old"]
    assert {k["purpose"] for k in status["keys"] if k["active"]} == {"field", "search"}
    assert KEK_OLD not in out


def test_rotate_kek_rewraps_data_keys_and_values_stay_readable(keyed_world, settings):
    elder = keyed_world.elders["elder0"]
    before = stored(elder.pk)
    settings.YIYANG_MASTER_KEYS = f"new:{KEK_NEW},old:{KEK_OLD},{DEV}"
    crypto.reset_cache()
    assert "re-wrapped" in keys("rotate-kek")
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {"new"}
    assert stored(elder.pk) == before  # values untouched
    settings.YIYANG_MASTER_KEYS = f"new:{KEK_NEW}"  # the old KEK can now be destroyed
    crypto.reset_cache()
    assert Elder.objects.get(pk=elder.pk).national_id == elder.national_id


def test_rotate_dek_reencrypts_every_value_under_the_new_key_and_a_rerun_does_nothing(keyed_world):
    elder = keyed_world.elders["elder0"]
    old_id = crypto.key_id_of(stored(elder.pk))
    out = keys("rotate-dek")
    new_id = crypto.key_id_of(stored(elder.pk))
    assert new_id != old_id
    assert DataKey.objects.get(pk=new_id).active and not DataKey.objects.get(pk=old_id).active
    assert Elder.objects.get(pk=elder.pk).national_id == elder.national_id
    assert "elders_elder" in out
    assert "re-encrypted 0 values" in keys("rotate-dek", "--resume")


def test_rotate_search_key_recomputes_tokens_and_search_still_finds(keyed_world):
    elder = keyed_world.elders["elder0"]
    before = Elder.objects.values_list("national_id_p10", flat=True).get(pk=elder.pk)
    keys("rotate-search-key")
    after = Elder.objects.values_list("national_id_p10", flat=True).get(pk=elder.pk)
    assert after != before
    assert DataKey.objects.filter(purpose="search", active=True).count() == 1
    assert Elder.objects.filter(search_q(elder.national_id[:10])).filter(pk=elder.pk).exists()
    assert Elder.objects.filter(search_q(elder.national_id)).get() == elder


@pytest.mark.django_db
def test_during_a_search_key_rotation_both_keys_match():
    crypto.create_data_key(crypto.PURPOSE_SEARCH)
    crypto.reset_cache()
    assert len(crypto.search_tokens("elders.phone", "13800001234")) >= 2
