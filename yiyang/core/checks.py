"""System checks of the encryption keyring (run by `check --deploy`)."""

from typing import Any

from django.conf import settings
from django.core import checks

from yiyang.core import crypto


@checks.register(checks.Tags.security, deploy=True)
def keyring_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A deployment needs a key-encryption keyring outside the database, and never the development key."""
    try:
        ring = crypto.load_keyring(
            master_keys=settings.YIYANG_MASTER_KEYS,
            keyring_file=settings.YIYANG_KEYRING_FILE,
            allow_development=False,
        )
        crypto.field_cipher_setting()
    except crypto.CryptoError as exc:
        return [
            checks.Error(
                str(exc),
                hint="Set YIYANG_MASTER_KEYS (id:base64key,…) or YIYANG_KEYRING_FILE; see docs/security.md.",
                id="yiyang.E001",
            )
        ]
    if ring.is_development:
        return [checks.Error("the public development key cannot be used in a deployment", id="yiyang.E002")]
    return []
