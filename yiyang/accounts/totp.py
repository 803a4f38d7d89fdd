"""Time-based one-time passwords (RFC 6238, on HOTP RFC 4226): pure functions, no storage."""

import base64
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """A random 160-bit secret in base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return base64.b32decode(padded)


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 HOTP value of `counter` (dynamic truncation), zero-padded to `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def time_step(unix_time: float, step: int = STEP_SECONDS) -> int:
    return int(unix_time // step)


def totp(key: bytes, unix_time: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238 TOTP value at `unix_time` (T0 = 0, 30-second steps)."""
    return hotp(key, time_step(unix_time), digits=digits, digest=digest)


def totp_match(secret_b32: str, code: str, unix_time: float, *, after_step: int = 0, window: int = 1) -> int | None:
    """The time step whose code equals `code`, looking `window` steps either side of now for clock
    drift, and only at steps later than `after_step` (the last accepted one: no replay). None if none.
    """
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = _key(secret_b32)
    now = time_step(unix_time)
    for step in range(now - window, now + window + 1):
        if step > after_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def code_at(secret_b32: str, unix_time: float) -> str:
    """The code an authenticator shows at `unix_time` (tests and the demo use it)."""
    return totp(_key(secret_b32), unix_time)


def provisioning_uri(secret_b32: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` URI an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
