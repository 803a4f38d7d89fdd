"""Encryption and blind-index tokens for bulk loaders that write raw rows (COPY / executemany).

`FieldSealer` takes the active keys once (in the parent, before any fork) and then encrypts and hashes
in a tight loop without touching the database: the same ciphertext format and tokens as
`EncryptedTextField` and `BlindIndexField` produce (tests compare them).
"""

import base64
import hmac
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

    def seal(self, plaintext: str, aad: bytes) -> str:
        """`crypto.encrypt` with this sealer's key; `aad` is `b"table.column"`."""
        if not plaintext:
            return ""
        if self._aes is None:
            return crypto.encrypt_with(self.material, plaintext, aad.decode())
        nonce = os.urandom(crypto.NONCE_BYTES)
        body = self._aes.encrypt(nonce, plaintext.encode(), aad)
        return base64.urlsafe_b64encode(self._header + nonce + body).decode("ascii")

    def tokens(self, purpose: str, value: str, specs: Sequence[tuple[int | None, bool]]) -> list[int | None]:
        """One token per (length, suffix) spec for an already normalised value (None where too short)."""
        key = self.search_key
        out: list[int | None] = []
        for length, suffix in specs:
            part = crypto.index_part(value, length=length, suffix=suffix)
            if part is None:
                out.append(None)
                continue
            message = crypto.index_domain(purpose, length=length, suffix=suffix).encode() + b"\0" + part.encode()
            out.append(int.from_bytes(hmac.digest(key, message, "sha256")[:8], "big", signed=True))
        return out
