"""Encryption and blind-index tokens for bulk loaders that write raw rows (COPY / executemany).

`FieldSealer` takes the active keys once (in the parent, before any fork) and then encrypts and hashes
in a tight loop without touching the database: the same ciphertext format and tokens as
`EncryptedTextField` and `BlindIndexField` produce (tests compare them).
"""

import base64
import hashlib
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from yiyang.core import crypto


class FieldSealer:
    """Encrypts values for one table's columns and computes tokens, with keys fetched once."""

    def __init__(self) -> None:
        self.material = crypto.field_key()
        self.search_key = crypto.active_keys(crypto.PURPOSE_SEARCH)[0].key
        self._header = crypto.HEADER.pack(crypto.VERSION, crypto.CIPHER_IDS[self.material.algorithm], self.material.id)
        self._aes = AESGCM(self.material.key) if self.material.algorithm == crypto.AES_GCM else None
        padded = self.search_key.ljust(64, b"\0")  # HMAC with a 32-byte key: RFC 2104 pads to the block
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self._plans: dict[tuple[str, tuple[tuple[int | None, bool], ...]], list[tuple[int | None, bool, bytes]]] = {}

    def seal(self, plaintext: str, aad: bytes) -> str:
        """`crypto.encrypt` with this sealer's key; `aad` is `b"table.column"`."""
        if not plaintext:
            return ""
        if self._aes is None:
            return crypto.encrypt_with(self.material, plaintext, aad.decode())
        nonce = os.urandom(crypto.NONCE_BYTES)
        body = self._aes.encrypt(nonce, plaintext.encode(), aad)
        return base64.urlsafe_b64encode(self._header + nonce + body).decode("ascii")

    def _plan(self, purpose: str, specs: Sequence[tuple[int | None, bool]]) -> list[tuple[int | None, bool, bytes]]:
        key = (purpose, tuple(specs))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = [
                (length, suffix, crypto.index_domain(purpose, length=length, suffix=suffix).encode() + b"\0")
                for length, suffix in specs
            ]
        return plan

    def tokens(self, purpose: str, value: str, specs: Sequence[tuple[int | None, bool]]) -> list[int | None]:
        """One token per (length, suffix) spec for an already normalised value (None where too short):
        HMAC-SHA256 from precomputed inner and outer states (the same digest as `hmac.digest`)."""
        inner, outer = self._inner, self._outer
        out: list[int | None] = []
        for length, suffix, domain in self._plan(purpose, specs):
            if length is None:
                part = value
            elif len(value) < length:
                out.append(None)
                continue
            else:
                part = value[-length:] if suffix else value[:length]
            ih = inner.copy()
            ih.update(domain + part.encode())
            oh = outer.copy()
            oh.update(ih.digest())
            out.append(int.from_bytes(oh.digest()[:8], "big", signed=True))
        return out
