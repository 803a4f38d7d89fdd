"""Retry-safe POSTs: a client that sends `Idempotency-Key: <unique string>` may resend the same request
(after a timeout, say) and gets the first answer back instead of a second record.

The key is scoped to the account. Reusing a key for a different request is an error. Only successful
answers are stored, so a request that failed validation can be corrected and sent with the same key.
Stored answers hold personal data (an elder's record as created), so they are kept for `RETENTION`
only: older ones are never replayed and are deleted whenever a new answer is stored.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

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
View = TypeVar("View", bound=Callable[..., Response])


def _fingerprint(request: Request) -> str:
    body = request.body if not request.FILES else b"<multipart>"
    return hashlib.sha256(b"|".join([(request.method or "").encode(), request.path.encode(), body])).hexdigest()


def idempotent(method: View) -> View:
    """Decorate an APIView `post` so that a repeated Idempotency-Key replays the stored answer."""

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
            if record.fingerprint != fingerprint:
                raise ValidationFailed.single(HEADER, _("该 Idempotency-Key 已用于另一个请求"), "key_reused")
            response = Response(json.loads(record.body), status=record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response

        cutoff = timezone.now() - RETENTION
        existing = IdempotencyRecord.objects.filter(user_id=user_id, key=key, created_at__gte=cutoff).first()
        if existing is not None:
            return replay(existing)
        try:
            with transaction.atomic():
                response = method(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
                    IdempotencyRecord.objects.create(
                        user_id=user_id,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=json.dumps(response.data, cls=JSONEncoder, ensure_ascii=False),
                    )
        except IntegrityError:
            # A concurrent twin stored its answer first; ours rolled back with everything it wrote.
            return replay(IdempotencyRecord.objects.get(user_id=user_id, key=key))
        return response

    return wrapper  # type: ignore[return-value]
