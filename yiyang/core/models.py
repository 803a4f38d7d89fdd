import uuid

from django.db import models


class BaseModel(models.Model):
    """Every domain row has a public UUID (used in URLs and the API) and creation/update times."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class IdempotencyRecord(models.Model):
    """The stored answer to a POST sent with an `Idempotency-Key`, replayed when the client retries."""

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return self.key


class DataKey(models.Model):
    """A data-encryption key (or blind-index key), stored only wrapped by a key-encryption key that
    lives outside the database (`yiyang.core.crypto`). Never deleted while a value may name it."""

    purpose = models.CharField(max_length=16)  # "field" or "search"
    algorithm = models.CharField(max_length=16)  # aes-256-gcm, sm4-gcm, hmac-sha256
    wrapped_key = models.BinaryField()
    kek_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "active"], name="datakey_purpose_active")]

    def __str__(self) -> str:
        return f"{self.purpose}#{self.pk} ({self.algorithm}, kek {self.kek_id})"
