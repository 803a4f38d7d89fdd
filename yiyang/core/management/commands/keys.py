"""`yiyang keys status | rotate-kek | rotate-dek [--resume] | rotate-search-key [--resume]`."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiyang.core import crypto, key_rotation


class Command(BaseCommand):
    help = "Show the encryption keys or rotate them (see docs/security.md, key handling)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="key-encryption key ids (never the keys) and the data keys")
        sub.add_parser("rotate-kek", help="re-wrap every data key under the active key-encryption key")
        for name, what in (("rotate-dek", "re-encrypt every value"), ("rotate-search-key", "recompute every token")):
            p = sub.add_parser(name, help=f"make a new key and {what} under it, in batches")
            p.add_argument("--resume", action="store_true", help="continue an interrupted run with the current key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        log = self.stdout.write
        try:
            if action == "status":
                status = key_rotation.key_status()
                log(json.dumps(status.__dict__, ensure_ascii=False, indent=2))
            elif action == "rotate-kek":
                log(f"re-wrapped {key_rotation.rotate_kek()} data keys under {crypto.keyring().active_id}")
            elif action == "rotate-dek":
                done = key_rotation.rotate_dek(resume=options["resume"], log=log)
                log(f"re-encrypted {sum(done.values())} values")
            elif action == "rotate-search-key":
                done = key_rotation.rotate_search_key(resume=options["resume"], log=log)
                log(f"re-indexed {sum(done.values())} rows")
        except crypto.CryptoError as exc:
            raise CommandError(str(exc)) from exc
