"""Data-migration helpers: encrypt a table's plaintext columns in place and fill their blind indexes,
or decrypt them back (the reverse). Raw SQL in id-ordered batches, because the historical models'
encrypted fields would try to decrypt the plaintext they read. Needs the keyring (docs/security.md).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yiyang.core import crypto

BATCH = 2000


@dataclass(frozen=True)
class TokenSpec:
    column: str
    source: str
    purpose: str
    normaliser: str
    length: int | None = None
    suffix: bool = False

    def token(self, value: str) -> int | None:
        if not value:
            return None
        normalised = crypto.NORMALISERS[self.normaliser](value) if self.normaliser else value
        return crypto.write_token(self.purpose, normalised, length=self.length, suffix=self.suffix)


def _batches(connection: Any, table: str, columns: Sequence[str]) -> Any:
    quote = connection.ops.quote_name
    select = ", ".join(quote(c) for c in ["id", *columns])
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                [last, BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def encrypt_table(connection: Any, table: str, columns: Sequence[str], tokens: Sequence[TokenSpec] = ()) -> None:
    """Encrypt `columns` of every row (bound to `table.column`) and compute `tokens` from the plaintext."""
    quote = connection.ops.quote_name
    targets = [*columns, *(t.column for t in tokens)]
    update = f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in targets)} WHERE id = %s"  # noqa: S608
    key = None
    for rows in _batches(connection, table, columns):
        key = key or crypto.field_key()
        params = []
        for row in rows:
            values = dict(zip(columns, row[1:], strict=True))
            encrypted = [
                crypto.encrypt_with(key, v or "", f"{table}.{c}") if v is not None else None for c, v in values.items()
            ]
            params.append([*encrypted, *(t.token(values[t.source] or "") for t in tokens), row[0]])
        with connection.cursor() as cursor:
            cursor.executemany(update, params)


def decrypt_table(connection: Any, table: str, columns: Sequence[str], tokens: Sequence[TokenSpec] = ()) -> None:
    """The reverse of `encrypt_table`: plaintext back, tokens cleared."""
    quote = connection.ops.quote_name
    targets = [*columns, *(t.column for t in tokens)]
    update = f"UPDATE {quote(table)} SET {', '.join(f'{quote(c)} = %s' for c in targets)} WHERE id = %s"  # noqa: S608
    for rows in _batches(connection, table, columns):
        params = []
        for row in rows:
            plain = [crypto.decrypt(v, f"{table}.{c}") if v else v for c, v in zip(columns, row[1:], strict=True)]
            params.append([*plain, *([None] * len(tokens)), row[0]])
        with connection.cursor() as cursor:
            cursor.executemany(update, params)
