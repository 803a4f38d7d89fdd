"""Envelope encryption of sensitive fields and keyed hashes (blind indexes) for searching them.

Key hierarchy (see docs/adr/0004-sensitive-fields-encrypted-at-rest.md):

- Key-encryption keys (KEKs) live outside the database: `YIYANG_MASTER_KEYS` ("id:base64key,…", the
  first is active) or `YIYANG_KEYRING_FILE` (JSON `{"active": "id", "keys": {"id": "base64key"}}`).
  A 32-byte KEK wraps with AES-256-GCM, a 16-byte KEK with SM4-GCM.
- Data-encryption keys (DEKs) are random and stored in `core.DataKey` only wrapped by a KEK. Purpose
  `field` encrypts values (AES-256-GCM by default, SM4-GCM with `YIYANG_FIELD_CIPHER=sm4-gcm`);
  purpose `search` keys the HMAC-SHA256 blind indexes.

Ciphertext (text in the database): urlsafe base64 of
`version(1) | cipher id(1) | DEK id(4, big-endian) | nonce(12) | ciphertext+tag(16)`, encrypted with
the associated data `table.column`, so a value copied to another column does not decrypt.
An empty string is stored as an empty string (emptiness is not secret here and lists filter on it).

Unwrapped DEKs are cached in memory per process; a key this process created inside a transaction
that has not committed yet is not cached (a rollback would otherwise leave the cache pointing at a
key that no database row holds).
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER = struct.Struct(">BBI")  # version, cipher id, DEK id
AES_GCM = "aes-256-gcm"
SM4_GCM = "sm4-gcm"
HMAC_SHA256 = "hmac-sha256"
CIPHER_IDS = {AES_GCM: 1, SM4_GCM: 2}
CIPHER_NAMES = {v: k for k, v in CIPHER_IDS.items()}
KEY_BYTES = {AES_GCM: 32, SM4_GCM: 16, HMAC_SHA256: 32}
PURPOSE_FIELD = "field"
PURPOSE_SEARCH = "search"
DEV_KEK_ID = "dev-insecure-not-for-production"
# A fixed, public key: only ever used with DEBUG or the test settings when no keyring is configured.
DEV_KEK = hashlib.sha256(b"yiyang development key-encryption key - NOT SECRET - never use in production").digest()


class CryptoError(Exception):
    """A value or key could not be decrypted (wrong key, wrong column, tampered, unknown key id)."""


class KeyringMissing(CryptoError):
    """No key-encryption key is configured and the development key is not allowed."""


# ------------------------------------------------------------------------------------ primitives
def _gcm_encrypt(algorithm: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if algorithm == AES_GCM:
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    if algorithm == SM4_GCM:
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(aad)
        return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag
    raise CryptoError(f"unknown cipher {algorithm}")


def _gcm_decrypt(algorithm: str, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    try:
        if algorithm == AES_GCM:
            return AESGCM(key).decrypt(nonce, data, aad)
        if algorithm == SM4_GCM:
            if len(data) < TAG_BYTES:
                raise CryptoError("ciphertext too short")
            decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, data[-TAG_BYTES:])).decryptor()
            decryptor.authenticate_additional_data(aad)
            return decryptor.update(data[:-TAG_BYTES]) + decryptor.finalize()
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("decryption failed: wrong key or column, or the value was altered") from exc
    raise CryptoError(f"unknown cipher {algorithm}")


def kek_algorithm(kek: bytes) -> str:
    if len(kek) == 32:
        return AES_GCM
    if len(kek) == 16:
        return SM4_GCM
    raise KeyringMissing("a key-encryption key must be 32 bytes (AES-256) or 16 bytes (SM4)")


def wrap_key(kek: bytes, dek: bytes, *, kek_id: str, purpose: str) -> bytes:
    """`nonce | AEAD(dek)` under the KEK, bound to the KEK id and the DEK's purpose."""
    nonce = os.urandom(NONCE_BYTES)
    aad = f"yiyang-dek|{kek_id}|{purpose}".encode()
    return nonce + _gcm_encrypt(kek_algorithm(kek), kek, nonce, dek, aad)


def unwrap_key(kek: bytes, wrapped: bytes, *, kek_id: str, purpose: str) -> bytes:
    aad = f"yiyang-dek|{kek_id}|{purpose}".encode()
    return _gcm_decrypt(kek_algorithm(kek), kek, wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)


# --------------------------------------------------------------------------------------- keyring
@dataclass(frozen=True)
class Keyring:
    """The KEKs from outside the database; `active_id` wraps new and re-wrapped DEKs."""

    keys: dict[str, bytes]
    active_id: str

    @property
    def active(self) -> bytes:
        return self.keys[self.active_id]

    @property
    def is_development(self) -> bool:
        return self.active_id == DEV_KEK_ID


def _decode_key(text: str) -> bytes:
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded) if "-" in text or "_" in text else base64.b64decode(padded)
    except ValueError as exc:
        raise KeyringMissing("a key-encryption key must be base64") from exc
    kek_algorithm(raw)
    return raw


def parse_master_keys(spec: str) -> Keyring:
    """`id:base64key,id2:base64key2` (first active)."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in spec.split(","):
        if not item.strip():
            continue
        kek_id, sep, value = item.strip().partition(":")
        if not sep or not kek_id:
            raise KeyringMissing("YIYANG_MASTER_KEYS must look like id:base64key,id2:base64key2")
        keys[kek_id] = _decode_key(value)
        order.append(kek_id)
    if not order:
        raise KeyringMissing("YIYANG_MASTER_KEYS holds no key")
    return Keyring(keys=keys, active_id=order[0])


def parse_keyring_file(path: Path) -> Keyring:
    """JSON `{"active": "id", "keys": {"id": "base64key", …}}`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        keys = {str(k): _decode_key(str(v)) for k, v in document["keys"].items()}
        active = str(document.get("active") or next(iter(keys)))
    except (OSError, ValueError, KeyError, TypeError, StopIteration) as exc:
        raise KeyringMissing(f"cannot read the keyring file {path}: {exc}") from exc
    if active not in keys:
        raise KeyringMissing(f"the keyring file {path} names active key {active!r} that it does not hold")
    return Keyring(keys=keys, active_id=active)


def load_keyring(*, master_keys: str = "", keyring_file: str = "", allow_development: bool = False) -> Keyring:
    """The configured keyring; the public development key only when allowed and nothing is configured."""
    if master_keys:
        return parse_master_keys(master_keys)
    if keyring_file:
        return parse_keyring_file(Path(keyring_file))
    if allow_development:
        return Keyring(keys={DEV_KEK_ID: DEV_KEK}, active_id=DEV_KEK_ID)
    raise KeyringMissing("no key-encryption key: set YIYANG_MASTER_KEYS or YIYANG_KEYRING_FILE (see docs/security.md)")


def configured_keyring() -> Keyring:
    from django.conf import settings

    return load_keyring(
        master_keys=getattr(settings, "YIYANG_MASTER_KEYS", ""),
        keyring_file=getattr(settings, "YIYANG_KEYRING_FILE", ""),
        allow_development=getattr(settings, "YIYANG_DEVELOPMENT_KEY_ALLOWED", False),
    )


def key_cache_seconds() -> float:
    """How long a process keeps using the active keys it read (a rotation waits this long)."""
    from django.conf import settings

    return float(getattr(settings, "YIYANG_KEY_CACHE_SECONDS", 60))


def field_cipher_setting() -> str:
    from django.conf import settings

    name = str(getattr(settings, "YIYANG_FIELD_CIPHER", AES_GCM)).lower()
    if name not in CIPHER_IDS:
        raise CryptoError(f"YIYANG_FIELD_CIPHER must be one of {', '.join(CIPHER_IDS)}, not {name!r}")
    return name


# ---------------------------------------------------------------------------------- data keys
@dataclass(frozen=True)
class DataKeyMaterial:
    id: int
    purpose: str
    algorithm: str
    key: bytes


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[int, DataKeyMaterial] = {}
        # purpose -> (monotonic expiry, active keys newest first); re-read after YIYANG_KEY_CACHE_SECONDS
        # so that every process sees a rotation's new key within that time.
        self.active: dict[str, tuple[float, list[DataKeyMaterial]]] = {}
        self.keyring: Keyring | None = None
        self.uncommitted: set[int] = set()


_cache = _Cache()


def reset_cache() -> None:
    """Forget unwrapped keys and the keyring (after a rotation, or between tests)."""
    with _cache.lock:
        _cache.by_id.clear()
        _cache.active.clear()
        _cache.keyring = None
        _cache.uncommitted.clear()


def keyring() -> Keyring:
    if _cache.keyring is None:
        _cache.keyring = configured_keyring()
    return _cache.keyring


def _unwrap_row(row: Any) -> DataKeyMaterial:
    ring = keyring()
    kek = ring.keys.get(row.kek_id)
    if kek is None:
        raise KeyringMissing(f"data key {row.pk} is wrapped by key-encryption key {row.kek_id!r}, not in the keyring")
    key = unwrap_key(kek, bytes(row.wrapped_key), kek_id=row.kek_id, purpose=row.purpose)
    return DataKeyMaterial(id=row.pk, purpose=row.purpose, algorithm=row.algorithm, key=key)


def _in_transaction() -> bool:
    from django.db import connection

    return connection.in_atomic_block


def create_data_key(purpose: str, *, algorithm: str | None = None) -> DataKeyMaterial:
    """A new random DEK for `purpose`, stored wrapped by the active KEK and active from now on."""
    from django.db import transaction

    from yiyang.core.models import DataKey

    if algorithm is None:
        algorithm = field_cipher_setting() if purpose == PURPOSE_FIELD else HMAC_SHA256
    ring = keyring()
    key = os.urandom(KEY_BYTES[algorithm])
    row = DataKey.objects.create(
        purpose=purpose,
        algorithm=algorithm,
        kek_id=ring.active_id,
        wrapped_key=wrap_key(ring.active, key, kek_id=ring.active_id, purpose=purpose),
        active=True,
    )
    material = DataKeyMaterial(id=row.pk, purpose=purpose, algorithm=algorithm, key=key)
    with _cache.lock:
        _cache.active.pop(purpose, None)
        if _in_transaction():
            _cache.uncommitted.add(row.pk)
            transaction.on_commit(lambda: _cache.uncommitted.discard(row.pk))
    return material


def active_keys(purpose: str) -> list[DataKeyMaterial]:
    """The active keys of `purpose`, newest first (created on first use when there is none)."""
    cached = _cache.active.get(purpose)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    from yiyang.core.models import DataKey

    rows = list(DataKey.objects.filter(purpose=purpose, active=True).order_by("-id"))
    found = [key_by_id(row.pk, row=row) for row in rows] if rows else [create_data_key(purpose)]
    with _cache.lock:
        if not any(k.id in _cache.uncommitted for k in found):
            _cache.active[purpose] = (time.monotonic() + key_cache_seconds(), found)
    return found


def key_by_id(key_id: int, *, row: Any = None) -> DataKeyMaterial:
    cached = _cache.by_id.get(key_id)
    if cached is not None:
        return cached
    if row is None:
        from yiyang.core.models import DataKey

        row = DataKey.objects.filter(pk=key_id).first()
        if row is None:
            raise CryptoError(f"unknown data key {key_id}")
    material = _unwrap_row(row)
    with _cache.lock:
        if key_id not in _cache.uncommitted:
            _cache.by_id[key_id] = material
    return material


# ------------------------------------------------------------------------------------ values
def encrypt_with(material: DataKeyMaterial, plaintext: str, aad: str) -> str:
    """Encrypt under a given DEK (bulk loaders fetch `active_keys` once and call this in a loop)."""
    if plaintext == "":
        return ""
    nonce = os.urandom(NONCE_BYTES)
    body = _gcm_encrypt(material.algorithm, material.key, nonce, plaintext.encode(), aad.encode())
    header = HEADER.pack(VERSION, CIPHER_IDS[material.algorithm], material.id)
    return base64.urlsafe_b64encode(header + nonce + body).decode("ascii")


def field_key() -> DataKeyMaterial:
    """The DEK new values are encrypted with: the newest active one of the configured cipher (a new
    one is made when `YIYANG_FIELD_CIPHER` changed; `yiyang keys rotate-dek` re-encrypts old rows)."""
    cipher = field_cipher_setting()
    for material in active_keys(PURPOSE_FIELD):
        if material.algorithm == cipher:
            return material
    from yiyang.core.models import DataKey

    DataKey.objects.filter(purpose=PURPOSE_FIELD, active=True).update(active=False)
    return create_data_key(PURPOSE_FIELD, algorithm=cipher)


def encrypt(plaintext: str, aad: str) -> str:
    """The ciphertext text of `plaintext` under the active field DEK, bound to `aad` (`table.column`)."""
    if plaintext == "":
        return ""
    return encrypt_with(field_key(), plaintext, aad)


def parse_header(token: str) -> tuple[int, str, int]:
    """(version, cipher name, DEK id) of a stored ciphertext."""
    try:
        raw = base64.urlsafe_b64decode(token[:12])
        version, cipher_id, key_id = HEADER.unpack(raw[: HEADER.size])
    except (ValueError, struct.error) as exc:
        raise CryptoError("not a ciphertext") from exc
    if version != VERSION or cipher_id not in CIPHER_NAMES:
        raise CryptoError(f"unknown ciphertext version {version} or cipher {cipher_id}")
    return version, CIPHER_NAMES[cipher_id], key_id


def decrypt(token: str, aad: str) -> str:
    """The plaintext of a stored ciphertext; `CryptoError` when it does not authenticate."""
    if token == "":
        return ""
    try:
        raw = base64.urlsafe_b64decode(token)
    except ValueError as exc:
        raise CryptoError("not a ciphertext") from exc
    if len(raw) < HEADER.size + NONCE_BYTES + TAG_BYTES:
        raise CryptoError("ciphertext too short")
    version, cipher_id, key_id = HEADER.unpack(raw[: HEADER.size])
    if version != VERSION or cipher_id not in CIPHER_NAMES:
        raise CryptoError(f"unknown ciphertext version {version} or cipher {cipher_id}")
    material = key_by_id(key_id)
    if CIPHER_NAMES[cipher_id] != material.algorithm:
        raise CryptoError("the ciphertext names another cipher than its key")
    nonce = raw[HEADER.size : HEADER.size + NONCE_BYTES]
    return _gcm_decrypt(
        material.algorithm, material.key, nonce, raw[HEADER.size + NONCE_BYTES :], aad.encode()
    ).decode()


def key_id_of(token: str) -> int | None:
    """The DEK id a stored ciphertext names (None for an empty value)."""
    return parse_header(token)[2] if token else None


# ---------------------------------------------------------------------------- blind indexes
def blind_token(key: bytes, domain: str, value: str) -> int:
    """HMAC-SHA256(key, domain NUL value) truncated to 64 bits, as a signed integer (a BigIntegerField)."""
    digest = hmac.digest(key, domain.encode() + b"\0" + value.encode(), "sha256")
    return int.from_bytes(digest[:8], "big", signed=True)


def index_domain(purpose: str, *, length: int | None = None, suffix: bool = False) -> str:
    """Domain separation: one token space per purpose and prefix/suffix length."""
    if length is None:
        return f"{purpose}|full"
    return f"{purpose}|{'suffix' if suffix else 'prefix'}{length}"


def index_part(value: str, *, length: int | None = None, suffix: bool = False) -> str | None:
    """The part of a normalised value a token covers; None when the value is too short for it."""
    if not value:
        return None
    if length is None:
        return value
    if len(value) < length:
        return None
    return value[-length:] if suffix else value[:length]


def search_tokens(purpose: str, value: str, *, length: int | None = None, suffix: bool = False) -> list[int]:
    """Tokens of `value` under every active search key (two while a search-key rotation runs)."""
    part = index_part(value, length=length, suffix=suffix)
    if part is None:
        return []
    domain = index_domain(purpose, length=length, suffix=suffix)
    return [blind_token(k.key, domain, part) for k in active_keys(PURPOSE_SEARCH)]


def write_token(purpose: str, value: str, *, length: int | None = None, suffix: bool = False) -> int | None:
    """The token stored for `value`: under the newest active search key."""
    part = index_part(value, length=length, suffix=suffix)
    if part is None:
        return None
    return blind_token(active_keys(PURPOSE_SEARCH)[0].key, index_domain(purpose, length=length, suffix=suffix), part)


def normalise_national_id(value: str) -> str:
    return value.strip().upper()


def normalise_phone(value: str) -> str:
    """Digits only, so that 0592-1234567 and 05921234567 give the same tokens."""
    return "".join(ch for ch in value if ch.isdigit())


NORMALISERS = {"national_id": normalise_national_id, "phone": normalise_phone}
