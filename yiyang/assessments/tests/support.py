"""Helpers shared by the records layer's tests: answers that hit a chosen level, records in each
state made through the services, clients, and a snapshot of what the services write."""

from datetime import date, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.services import (
    assessment_confirm,
    assessment_draft_create,
    assessment_submit,
)
from yiyang.assessments.services.seeding import answers_for_totals
from yiyang.audit.models import ACCESS_ACTIONS, AuditEvent
from yiyang.core.testing import grant_permissions

GBT = "gbt42195-2022"
LTC = "ltc-2021"
# GB/T 42195 group totals for a chosen total (the proportions the demo seed uses).
GBT_SPLITS = {
    90: {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15},
    78: {"B.1": 28, "B.2": 13, "B.3": 24, "B.4": 13},
    55: {"B.1": 20, "B.2": 9, "B.3": 17, "B.4": 9},
    38: {"B.1": 14, "B.2": 6, "B.3": 12, "B.4": 6},
    15: {"B.1": 5, "B.2": 2, "B.3": 5, "B.4": 3},
}
GBT_LEVEL_TOTAL = {0: 90, 1: 78, 2: 55, 3: 38, 4: 15}
LTC_GRADE_TOTALS = {
    0: {"C1": 100, "C2": 16, "C3": 12},
    1: {"C1": 80, "C2": 16, "C3": 12},
    2: {"C1": 50, "C2": 14, "C3": 12},
    3: {"C1": 20, "C2": 16, "C3": 12},
    4: {"C1": 20, "C2": 8, "C3": 10},
    5: {"C1": 0, "C2": 2, "C3": 3},
}


def gbt_answers(level: int = 1, **facts: Any) -> dict[str, Any]:
    """Complete GB/T 42195 answers whose total falls in `level`'s band (before any rule)."""
    return answers_for_totals(GBT, GBT_SPLITS[GBT_LEVEL_TOTAL[level]], facts)


def ltc_answers(grade: int) -> dict[str, Any]:
    return answers_for_totals(LTC, LTC_GRADE_TOTALS[grade], {})


def partial(answers: dict[str, Any], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in answers.items() if k not in drop}


def draft(
    world: Any,
    *,
    assessor: str = "street0",
    elder: str = "elder0",
    scale: str = GBT,
    answers: dict[str, Any] | None = None,
    assessed_on: date | None = None,
    reason: str = "first",
) -> Assessment:
    return assessment_draft_create(
        actor=world.users[assessor],
        elder=world.elders[elder],
        scale=scale,
        reason=reason,
        assessed_on=assessed_on or timezone.localdate(),
        answers=gbt_answers(1) if answers is None and scale == GBT else (answers or {}),
    )


def submitted(world: Any, **kwargs: Any) -> Assessment:
    record = draft(world, **kwargs)
    return assessment_submit(actor=world.users[kwargs.get("assessor", "street0")], assessment=record)


def confirmed(world: Any, *, reviewer: str = "medical0", **kwargs: Any) -> Assessment:
    record = submitted(world, **kwargs)
    return assessment_confirm(actor=world.users[reviewer], assessment=record)


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def api_client(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def grant(user: Any, *perms: str) -> Any:
    grant_permissions(user, *perms)
    return user


def snapshot() -> dict[str, Any]:
    """What the services write, to assert that a refused call wrote nothing."""
    return {
        "assessments": sorted(
            Assessment.objects.values_list("id", "status", "updated_at", "reviewer_id", "level", "returned_reason")
        ),
        "policy_versions": PolicyVersion.objects.count(),
        "audit_events": AuditEvent.objects.exclude(action__in=ACCESS_ACTIONS).count(),
    }


def field_codes(error: Any) -> set[tuple[str, str]]:
    if isinstance(error, dict):
        return {(e["field"], e["code"]) for e in error["errors"]}
    return {(e.field, e.code) for e in error.errors}
