"""Model fields for sensitive values: stored encrypted, searched through keyed hashes (blind indexes).

`EncryptedTextField`: the Python value is the plaintext str; the database holds the ciphertext of
`yiyang.core.crypto` bound to `table.column`. It cannot be compared in SQL (except with ""), so
filtering on a non-empty value raises instead of silently matching nothing: search through a
`BlindIndexField`.

`BlindIndexField`: a nullable BigIntegerField holding the 64-bit keyed hash of (a prefix or suffix of)
another field's normalised value, computed in `pre_save` (so by save() and bulk_create()). A save()
with `update_fields` must name it too (models do this in save()); `bulk_update` and `QuerySet.update`
of the source do not recompute it.
"""

from typing import Any

from django.core import checks
from django.db import models
from django.db.models import Lookup

from yiyang.core import crypto


class _BlindLookup(Lookup):
    """`exact`/`in` on an encrypted field, answered by its whole-value blind index (hash equality):
    `Elder.objects.filter(national_id=x)` works and uses the index. A 64-bit hash can collide (about
    3e-8 for any pair among 1,000,000 values); callers that must rule that out compare the decrypted
    value (the elder search does)."""

    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return self.rhs

    def _values(self) -> list[str]:
        raise NotImplementedError

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        field = self.lhs.target
        values = self._values()
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        if values == [""]:
            return f"{lhs_sql} = %s", [*lhs_params, ""]
        indexes = [f for f in blind_index_fields(field.model, field.name) if f.length is None]
        if not indexes:
            raise TypeError(f"{field.model.__name__}.{field.name} is encrypted and has no blind index to compare")
        tokens = [t for v in values if v for t in indexes[0].search_tokens(v)]
        if not tokens:
            return "1 = 0", []
        col_sql, col_params = compiler.compile(indexes[0].get_col(self.lhs.alias))
        return f"{col_sql} IN ({', '.join(['%s'] * len(tokens))})", [*col_params, *tokens]


class _BlindExact(_BlindLookup):
    lookup_name = "exact"

    def _values(self) -> list[str]:
        return [str(self.rhs)]


class _BlindIn(_BlindLookup):
    lookup_name = "in"

    def _values(self) -> list[str]:
        return [str(v) for v in self.rhs]


class EncryptedTextField(models.TextField):
    """Plaintext in Python, AEAD ciphertext in the database. `max_length` is the plaintext's."""

    @property
    def aad(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self.aad)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _BlindExact
        if lookup_name == "in":
            return _BlindIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # no LIKE, ordering or range comparisons on ciphertext

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value not in (None, ""):
            raise TypeError(
                f"{self.model.__name__}.{self.name} is encrypted: it cannot be compared in SQL; search its blind index"
            )
        return value

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(str(value), self.aad)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if getattr(self, "db_index", False) or self.unique:
            errors.append(checks.Error("an encrypted field cannot be indexed; index a BlindIndexField", obj=self))
        return errors


class BlindIndexField(models.BigIntegerField):
    """The keyed hash of `source`'s normalised value (whole, or its first/last `length` characters)."""

    def __init__(
        self,
        *args: Any,
        source: str = "",
        purpose: str = "",
        normaliser: str = "",
        length: int | None = None,
        suffix: bool = False,
        **kwargs: Any,
    ) -> None:
        self.source = source
        self.purpose = purpose
        self.normaliser = normaliser
        self.length = length
        self.suffix = suffix
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose, normaliser=self.normaliser)
        if self.length is not None:
            kwargs["length"] = self.length
        if self.suffix:
            kwargs["suffix"] = True
        for key, default in (("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def normalise(self, value: str) -> str:
        return crypto.NORMALISERS[self.normaliser](value) if self.normaliser else value

    def token_for(self, value: str | None) -> int | None:
        """The token stored for a source value (None when empty or too short)."""
        if not value:
            return None
        return crypto.write_token(self.purpose, self.normalise(value), length=self.length, suffix=self.suffix)

    def search_tokens(self, text: str) -> list[int]:
        """Tokens a search for `text` matches (one per active search key)."""
        return crypto.search_tokens(self.purpose, self.normalise(text), length=self.length, suffix=self.suffix)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.token_for(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def blind_index_fields(model: type[models.Model], source: str | None = None) -> list[BlindIndexField]:
    """The model's blind indexes (of one source field, if given)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField) and (source is None or f.source == source)
    ]


class BlindIndexedQuerySet(models.QuerySet[Any]):
    """Refuses `update()`/`bulk_update()` of a field that blind indexes are computed from (the tokens
    would go stale): save the instances instead."""

    def _refuse(self, names: Any) -> None:
        stale = {f.source for f in blind_index_fields(self.model)} & set(names)
        if stale:
            raise TypeError(
                f"{', '.join(sorted(stale))} feed blind indexes: save() the rows instead of updating in SQL"
            )

    def update(self, **kwargs: Any) -> int:
        self._refuse(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        self._refuse(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)


def with_blind_indexes(model: type[models.Model], update_fields: Any) -> Any:
    """`update_fields` plus the blind indexes of the sources it names (for Model.save overrides)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    extra = {f.name for f in blind_index_fields(model) if f.source in names}
    return list(names | extra)
