"""Retry-safe POSTs: a client that sends `Idempotency-Key: <unique string>` may resend the same request
(after a timeout, say) and gets the first answer back instead of a second record.

The key is scoped to the account. It is claimed (a pending row, committed at once) before the
request runs, so concurrent twins wait for the first answer instead of racing it. Reusing a key for a different request is an error. Only successful
answers are stored, so a request that failed validation can be corrected and sent with the same key.
Stored answers hold personal data (an elder's record as created), so they are kept for `RETENTION`
only: older ones are never replayed and are deleted whenever a new answer is stored.
"""

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from yiyang.core.errors import ValidationFailed
from yiyang.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)  # a client retries within minutes; a day covers a device offline overnight
PENDING = 0  # status_code of a claim whose request is still running
# A claim older than this was left by a process that died mid-request; a twin may take it over.
ABANDONED_AFTER = timedelta(minutes=5)
View = TypeVar("View", bound=Callable[..., Response])


def _wait_seconds() -> float:
    """How long a concurrent twin waits for the first request's answer before a 409 (a setting)."""
    return float(getattr(settings, "YIYANG_IDEMPOTENCY_WAIT_SECONDS", 10.0))


def _sleep(seconds: float) -> None:  # a seam for tests
    time.sleep(seconds)


def _fingerprint(request: Request) -> str:
    body = request.body if not request.FILES else b"<multipart>"
    return hashlib.sha256(b"|".join([(request.method or "").encode(), request.path.encode(), body])).hexdigest()


def _claim(user_id: int, key: str, fingerprint: str) -> tuple[bool, IdempotencyRecord | None]:
    """Claim the key with a pending row, committed at once so that twins see it: (True, None) if
    claimed, else (False, the row another request holds -- or None if it went away meanwhile)."""
    cutoff = timezone.now() - RETENTION
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.filter(user_id=user_id, key=key, created_at__lt=cutoff).delete()
            IdempotencyRecord.objects.create(
                user_id=user_id, key=key, fingerprint=fingerprint, status_code=PENDING, body=""
            )
    except IntegrityError:
        return False, IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
    return True, None


def _release(user_id: int, key: str) -> None:
    """Give up a pending claim (the request failed), so that the key may be used again."""
    IdempotencyRecord.objects.filter(user_id=user_id, key=key, status_code=PENDING).delete()


def idempotent(method: View) -> View:
    """Decorate an APIView `post` so that a repeated Idempotency-Key replays the stored answer.

    Guarantees: of any number of requests with one key (and one body), concurrent or not, exactly
    one runs; the others answer with its status and body and `Idempotent-Replayed: true`. A twin
    that arrives while the first still runs waits for it up to YIYANG_IDEMPOTENCY_WAIT_SECONDS and
    then answers 409 with Retry-After. A first request that fails (4xx/5xx, exception) leaves
    nothing behind: a waiting twin then runs itself. The same key with another body is a 400.
    """

    @wraps(method)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > 100:
            raise ValidationFailed.single(HEADER, _("Idempotency-Key 不能超过100个字符"), "max_length")
        fingerprint = _fingerprint(request)
        user_id: int = request.user.pk or 0

        def replay(record: IdempotencyRecord) -> Response:
            response = Response(json.loads(record.body), status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response

        deadline = time.monotonic() + _wait_seconds()
        delay = 0.02
        while True:
            claimed, held = _claim(user_id, key, fingerprint)
            if claimed:
                break
            if held is None:  # released between our insert and our read: try to claim again
                continue
            if held.fingerprint != fingerprint:
                raise ValidationFailed.single(HEADER, _("该 Idempotency-Key 已用于另一个请求"), "key_reused")
            if held.status_code != PENDING:
                return replay(held)
            if held.created_at < timezone.now() - ABANDONED_AFTER:
                _release(user_id, key)
                continue
            if time.monotonic() >= deadline:
                response = Response(
                    {
                        "status": 409,
                        "title": "Conflict",
                        "detail": _("使用同一 Idempotency-Key 的请求仍在处理中，请稍后重试"),
                        "errors": [{"field": HEADER, "reason": _("同一请求仍在处理中"), "code": "request_in_progress"}],
                    },
                    status=409,
                )
                response["Retry-After"] = "1"
                return response
            _sleep(delay)
            delay = min(delay * 2, 0.25)

        stored = False
        try:
            with transaction.atomic():
                response = method(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
                    # The answer is stored in the transaction of the writes: both commit, or neither.
                    stored = bool(
                        IdempotencyRecord.objects.filter(user_id=user_id, key=key, status_code=PENDING).update(
                            status_code=response.status_code,
                            body=json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False),
                        )
                    )
        finally:
            if not stored:
                _release(user_id, key)
        return response

    return wrapper  # type: ignore[return-value]
