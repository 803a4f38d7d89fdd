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
