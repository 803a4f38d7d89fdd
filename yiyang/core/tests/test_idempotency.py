import pytest
from rest_framework.test import APIClient

from yiyang.core.testing import national_id
from yiyang.elders.models import Elder

pytestmark = pytest.mark.django_db


def body(world, seq=301):
    return {"name": "重试", "national_id": national_id(seq), "community": str(world.communities[0][0].public_id)}


def test_a_retried_create_replays_the_first_answer_and_writes_once(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])

    first = client.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] == first.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Elder.objects.filter(national_id=national_id(301)).count() == 1


def test_reusing_a_key_for_another_request_is_refused(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    client.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = client.post("/api/v1/elders/", body(world, 303), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("Idempotency-Key", "key_reused")]
    assert not Elder.objects.filter(national_id=national_id(303)).exists()


def test_a_failed_request_can_be_corrected_under_the_same_key(world):
    client = APIClient()
    client.force_authenticate(world.users["street0"])
    bad = client.post("/api/v1/elders/", {**body(world), "phone": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    good = client.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert (bad.status_code, good.status_code) == (400, 201)


def test_keys_belong_to_one_account(world):
    a, b = APIClient(), APIClient()
    a.force_authenticate(world.users["street0"])
    b.force_authenticate(world.users["bureau"])
    a.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = b.post("/api/v1/elders/", body(world, 305), format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201
    assert Elder.objects.filter(national_id=national_id(305)).count() == 1


def test_stored_answers_expire_after_a_day_and_are_purged(world):
    from datetime import timedelta

    from django.utils import timezone

    from yiyang.core.idempotency import RETENTION
    from yiyang.core.models import IdempotencyRecord

    client = APIClient()
    client.force_authenticate(world.users["street0"])
    client.post("/api/v1/elders/", body(world), format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - RETENTION - timedelta(minutes=1))
    # the same key, a day later, for another request: not a reuse, a new request
    response = client.post("/api/v1/elders/", body(world, 305), format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Elder.objects.filter(national_id=national_id(305)).count() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-old"]
    assert IdempotencyRecord.objects.get().created_at > timezone.now() - timedelta(minutes=1)
