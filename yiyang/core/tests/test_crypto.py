"""Envelope encryption: round trips under both ciphers, column binding, tampering, keyrings, tokens."""

import base64
import json

import pytest

from yiyang.core import crypto
from yiyang.core.models import DataKey

pytestmark = pytest.mark.django_db

KEK_A = base64.b64encode(bytes(range(32))).decode()
KEK_B = base64.b64encode(bytes(range(1, 33))).decode()
KEK_SM4 = base64.b64encode(bytes(range(16))).decode()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts without cached keys; the cache of committed keys comes back afterwards (the
    keys these tests create are rolled back with them)."""
    saved = (dict(crypto._cache.by_id), dict(crypto._cache.active), crypto._cache.keyring)
    crypto.reset_cache()
    yield
    crypto.reset_cache()
    crypto._cache.by_id.update(saved[0])
    crypto._cache.active.update(saved[1])
    crypto._cache.keyring = saved[2]


def retire_existing_keys():
    """Tests that configure their own keyring start from keys wrapped by it."""
    DataKey.objects.update(active=False)


@pytest.mark.parametrize("cipher", [crypto.AES_GCM, crypto.SM4_GCM])
def test_round_trip_under_each_cipher_names_its_cipher_and_key(settings, cipher):
    settings.YIYANG_FIELD_CIPHER = cipher
    token = crypto.encrypt("350206195003150011", "elders_elder.national_id")
    assert "350206" not in token
    version, name, key_id = crypto.parse_header(token)
    assert (version, name) == (1, cipher)
    assert DataKey.objects.get(pk=key_id).algorithm == cipher
    assert crypto.decrypt(token, "elders_elder.national_id") == "350206195003150011"


def test_same_plaintext_gives_different_ciphertexts_and_empty_stays_empty():
    a = crypto.encrypt("13800001234", "t.c")
    b = crypto.encrypt("13800001234", "t.c")
    assert a != b
    assert crypto.encrypt("", "t.c") == ""
    assert crypto.decrypt("", "t.c") == ""


def test_a_value_copied_to_another_column_does_not_decrypt():
    token = crypto.encrypt("13800001234", "elders_elder.phone")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(token, "elders_emergencycontact.phone")


@pytest.mark.parametrize("cipher", [crypto.AES_GCM, crypto.SM4_GCM])
def test_a_tampered_ciphertext_does_not_decrypt(settings, cipher):
    settings.YIYANG_FIELD_CIPHER = cipher
    raw = bytearray(base64.urlsafe_b64decode(crypto.encrypt("13800001234", "t.c")))
    raw[-1] ^= 1
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(base64.urlsafe_b64encode(bytes(raw)).decode(), "t.c")
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt("bm90IGEgY2lwaGVydGV4dA", "t.c")


def test_data_keys_are_stored_only_wrapped_by_the_configured_kek(settings):
    retire_existing_keys()
    settings.YIYANG_MASTER_KEYS = f"k1:{KEK_A}"
    crypto.encrypt("x", "t.c")
    row = DataKey.objects.get(purpose="field", active=True)
    assert row.kek_id == "k1"
    key = crypto.key_by_id(row.pk).key
    assert key not in bytes(row.wrapped_key)
    crypto.reset_cache()
    settings.YIYANG_MASTER_KEYS = f"k2:{KEK_B}"  # k1 no longer in the keyring
    with pytest.raises(crypto.KeyringMissing):
        crypto.key_by_id(row.pk)


def test_keyring_from_env_spec_and_file(tmp_path):
    ring = crypto.parse_master_keys(f"new:{KEK_B},old:{KEK_A}")
    assert ring.active_id == "new" and set(ring.keys) == {"new", "old"}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"active": "s", "keys": {"s": KEK_SM4, "a": KEK_A}}))
    ring = crypto.parse_keyring_file(path)
    assert ring.active_id == "s" and crypto.kek_algorithm(ring.active) == crypto.SM4_GCM
    with pytest.raises(crypto.KeyringMissing):
        crypto.parse_master_keys("nocolon")
    with pytest.raises(crypto.KeyringMissing):
        crypto.parse_master_keys("k:" + base64.b64encode(b"short").decode())


def test_without_keyring_the_development_key_is_refused_unless_allowed(settings):
    retire_existing_keys()
    settings.YIYANG_MASTER_KEYS = ""
    settings.YIYANG_KEYRING_FILE = ""
    settings.YIYANG_DEVELOPMENT_KEY_ALLOWED = False
    with pytest.raises(crypto.KeyringMissing):
        crypto.encrypt("x", "t.c")
    settings.YIYANG_DEVELOPMENT_KEY_ALLOWED = True
    crypto.reset_cache()
    crypto.encrypt("x", "t.c")
    assert DataKey.objects.get(purpose="field", active=True).kek_id == crypto.DEV_KEK_ID


def test_sm4_kek_wraps_under_sm4(settings):
    retire_existing_keys()
    settings.YIYANG_MASTER_KEYS = f"sm:{KEK_SM4}"
    settings.YIYANG_FIELD_CIPHER = crypto.SM4_GCM
    token = crypto.encrypt("病史", "t.c")
    assert crypto.decrypt(token, "t.c") == "病史"


def test_blind_tokens_are_domain_separated_64_bit_and_keyed():
    key = bytes(32)
    full = crypto.blind_token(key, crypto.index_domain("p"), "350206")
    prefix = crypto.blind_token(key, crypto.index_domain("p", length=6), "350206")
    assert full != prefix
    assert -(2**63) <= full < 2**63
    assert crypto.blind_token(bytes([1]) * 32, crypto.index_domain("p"), "350206") != full
    assert crypto.index_part("13800001234", length=4, suffix=True) == "1234"
    assert crypto.index_part("1380", length=7) is None
    assert crypto.normalise_phone("0592-555 1234") == "05925551234"


def test_a_key_created_in_a_rolled_back_transaction_is_not_cached():
    from django.db import transaction

    try:
        with transaction.atomic():
            created = crypto.create_data_key(crypto.PURPOSE_FIELD)
            crypto.encrypt("x", "t.c")
            raise RuntimeError
    except RuntimeError:
        pass
    assert created.id not in crypto._cache.by_id
    assert all(k.id != created.id for k in crypto._cache.active.get(crypto.PURPOSE_FIELD, (0, []))[1])


def test_deploy_check_errors_without_a_keyring_and_passes_with_one(settings):
    from yiyang.core.checks import keyring_configured

    settings.YIYANG_MASTER_KEYS = ""
    settings.YIYANG_KEYRING_FILE = ""
    assert [m.id for m in keyring_configured()] == ["yiyang.E001"]
    settings.YIYANG_MASTER_KEYS = f"k1:{KEK_A}"
    assert keyring_configured() == []
