"""Key rotation (`yiyang keys …`): re-wrap data keys under a new KEK, re-encrypt values under a new
DEK, recompute blind indexes under a new search key. Encrypted columns and blind indexes are found
from the installed models' fields, so core names no domain app.

Every pass works in id-ordered batches, each in its own transaction, and can be run again: rows record
their DEK id in the ciphertext (rows already under the active DEK are skipped), and recomputing a token
is idempotent. Before a pass, the command waits `YIYANG_KEY_CACHE_SECONDS` so that every running
process has seen the new key (and writes with it) before the rows are walked.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from yiyang.core import crypto
from yiyang.core.fields import BlindIndexField, EncryptedTextField, blind_index_fields
from yiyang.core.models import DataKey

BATCH = 1000
Log = Callable[[str], None]


def encrypted_columns() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """(model, its encrypted fields) for every installed model that has some."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def indexed_models() -> list[tuple[type[models.Model], list[BlindIndexField]]]:
    return [(m, blind_index_fields(m)) for m in apps.get_models() if blind_index_fields(m) and not m._meta.proxy]


@dataclass
class KeyStatus:
    keyring_ids: list[str]
    active_kek: str
    keys: list[dict[str, Any]] = field(default_factory=list)


def key_status() -> KeyStatus:
    """The keyring's KEK ids (never the keys) and every data key: purpose, cipher, KEK, active."""
    ring = crypto.keyring()
    status = KeyStatus(keyring_ids=sorted(ring.keys), active_kek=ring.active_id)
    for row in DataKey.objects.order_by("id"):
        status.keys.append(
            {
                "id": row.pk,
                "purpose": row.purpose,
                "algorithm": row.algorithm,
                "kek_id": row.kek_id,
                "kek_in_keyring": row.kek_id in ring.keys,
                "wrapped_by_active_kek": row.kek_id == ring.active_id,
                "active": row.active,
                "created_at": row.created_at.isoformat(),
            }
        )
    return status


def rotate_kek() -> int:
    """Re-wrap every data key not wrapped by the active KEK under it (the old KEK must still be in the
    keyring). Values are untouched: cheap. Returns how many keys were re-wrapped."""
    ring = crypto.keyring()
    count = 0
    with transaction.atomic():
        for row in DataKey.objects.select_for_update().exclude(kek_id=ring.active_id).order_by("id"):
            old = ring.keys.get(row.kek_id)
            if old is None:
                raise crypto.KeyringMissing(f"data key {row.pk} is wrapped by {row.kek_id!r}, which the keyring lacks")
            key = crypto.unwrap_key(old, bytes(row.wrapped_key), kek_id=row.kek_id, purpose=row.purpose)
            row.wrapped_key = crypto.wrap_key(ring.active, key, kek_id=ring.active_id, purpose=row.purpose)
            row.kek_id = ring.active_id
            row.save(update_fields=["wrapped_key", "kek_id"])
            count += 1
    crypto.reset_cache()
    return count


def _wait_for_processes(log: Log) -> None:
    seconds = crypto.key_cache_seconds()
    if seconds > 0:
        log(f"waiting {seconds:.0f} s for running processes to pick up the new key …")
        time.sleep(seconds)


def _id_batches(model: type[models.Model], columns: list[str]) -> Iterator[list[tuple[Any, ...]]]:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(str(model._meta.pk.column))
    select = ", ".join([pk, *(quote(c) for c in columns)])
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(
                f"SELECT {select} FROM {table} {where}ORDER BY {pk} LIMIT %s",  # noqa: S608
                [*([last] if last is not None else []), BATCH],
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rotate_dek(*, resume: bool = False, log: Log = print) -> dict[str, int]:
    """Make a new field DEK active (unless `resume`) and re-encrypt every value not under it, batch by
    batch. Returns re-encrypted values per table. Old DEKs stay (inactive) so nothing becomes unreadable."""
    if not resume:
        with transaction.atomic():
            DataKey.objects.filter(purpose=crypto.PURPOSE_FIELD, active=True).update(active=False)
            crypto.create_data_key(crypto.PURPOSE_FIELD)
        crypto.reset_cache()
        _wait_for_processes(log)
    target = crypto.field_key()
    done: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model, fields in encrypted_columns():
        table = model._meta.db_table
        columns = [str(f.column) for f in fields]
        pk = quote(str(model._meta.pk.column))
        count = 0
        for rows in _id_batches(model, columns):
            updates = []
            for row in rows:
                values = list(row[1:])
                changed = False
                for i, (column, value) in enumerate(zip(columns, values, strict=True)):
                    if value and crypto.key_id_of(value) != target.id:
                        aad = f"{table}.{column}"
                        values[i] = crypto.encrypt_with(target, crypto.decrypt(value, aad), aad)
                        changed = True
                        count += 1
                if changed:
                    updates.append([*values, row[0]])
            if updates:
                sets = ", ".join(f"{quote(c)} = %s" for c in columns)
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(f"UPDATE {quote(table)} SET {sets} WHERE {pk} = %s", updates)  # noqa: S608
        done[table] = count
        log(f"{table}: {count} values re-encrypted")
    return done


def rotate_search_key(*, resume: bool = False, log: Log = print) -> dict[str, int]:
    """Add a new search key (unless `resume`), recompute every blind index under it batch by batch, then
    retire the older search keys. While it runs, searches match tokens of both keys."""
    if not resume:
        crypto.create_data_key(crypto.PURPOSE_SEARCH)
        crypto.reset_cache()
        _wait_for_processes(log)
    newest = crypto.active_keys(crypto.PURPOSE_SEARCH)[0]
    done: dict[str, int] = {}
    quote = connection.ops.quote_name
    for model, indexes in indexed_models():
        sources = sorted({f.source for f in indexes})
        pk_name = str(model._meta.pk.name)
        table = quote(model._meta.db_table)
        sets = ", ".join(f"{quote(str(f.column))} = %s" for f in indexes)
        pk_column = quote(str(model._meta.pk.column))
        count = 0
        last: Any = None
        while True:
            qs = model._default_manager.order_by(pk_name)
            if last is not None:
                qs = qs.filter(**{f"{pk_name}__gt": last})
            rows = list(qs.values_list(pk_name, *sources)[:BATCH])
            if not rows:
                break
            updates = []
            for row in rows:
                value_of = dict(zip(sources, row[1:], strict=True))
                updates.append([*(f.token_for(value_of[f.source]) for f in indexes), row[0]])
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk_column} = %s", updates)  # noqa: S608
            count += len(rows)
            last = rows[-1][0]
        done[model._meta.db_table] = count
        log(f"{model._meta.db_table}: {count} rows re-indexed")
    DataKey.objects.filter(purpose=crypto.PURPOSE_SEARCH, active=True).exclude(pk=newest.id).update(active=False)
    crypto.reset_cache()
    return done
