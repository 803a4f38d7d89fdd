"""Shared helpers of the benefits tests: applications in each state, made through the services."""

from datetime import date
from typing import Any

from yiyang.benefits.models import Application
from yiyang.benefits.services import (
    ApplicationInput,
    application_decide,
    application_street_review,
    application_submit,
)
from yiyang.core.testing import World, national_id

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PAYEE = {"payee_name": "张三", "payee_account": "6222020200112233445", "payee_bank": "工商银行厦门分行"}
STARTUP_FACTS = {"approved_beds": 60, "premises": "own_building"}
WORKER_ID = national_id(77, birth=date(1990, 5, 1))


def application_input(**fields: Any) -> ApplicationInput:
    data: dict[str, Any] = {"requested_from": date(2026, 11, 1), **PAYEE, **fields}
    return ApplicationInput(**data)


def resident_input(world: World, elder: str = "elder0", **fields: Any) -> ApplicationInput:
    return application_input(scheme="resident_care_subsidy", elder=world.elders[elder].public_id, **fields)


def org_input(world: World, scheme: str, org: str = "institution0", **fields: Any) -> ApplicationInput:
    return application_input(scheme=scheme, organisation=world.orgs[org].public_id, **fields)


def worker_input(
    world: World, scheme: str, facts: dict[str, Any], org: str = "institution0", **fields: Any
) -> ApplicationInput:
    worker = {"worker_name": "李护理", "worker_national_id": WORKER_ID, **fields}
    return application_input(scheme=scheme, organisation=world.orgs[org].public_id, facts=facts, **worker)


def submitted(world: World, applicant: str = "family0", data: ApplicationInput | None = None) -> Application:
    return application_submit(actor=world.users[applicant], data=data or resident_input(world))


def startup_submitted(
    world: World, applicant: str = "institution0", org: str = "institution0", **fields: Any
) -> Application:
    facts = fields.pop("facts", STARTUP_FACTS)
    return application_submit(
        actor=world.users[applicant], data=org_input(world, "startup_subsidy", org=org, facts=facts, **fields)
    )


def street_approved(world: World, application: Application, reviewer: str = "street0") -> Application:
    return application_street_review(
        actor=world.users[reviewer], application=application, approve=True, note="材料齐全"
    )


def approved(world: World, application: Application, reviewer: str = "street0") -> Application:
    application = street_approved(world, application, reviewer)
    return application_decide(actor=world.users["bureau"], application=application, approve=True)


def errors_of(exc: Any) -> list[tuple[str, str]]:
    return [(e.field, e.code) for e in exc.errors]
