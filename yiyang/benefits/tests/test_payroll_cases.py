"""Payroll scenarios from YAML (payroll_cases/*.yaml) run through the real services and database."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from yiyang.benefits.models import Entitlement, Instalment, PayrollLine, PayrollRun, PolicyFile
from yiyang.benefits.policy import fingerprint, override_to_json, parse_district_document
from yiyang.benefits.rules import one_off_plan, yuan
from yiyang.benefits.selectors import district_policy
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.benefits.tests.payroll_world import BED, RESIDENT, confirmed_level, entitlement
from yiyang.core.errors import ValidationFailed
from yiyang.core.testing import build_world
from yiyang.elders.services.facts import elder_fact_change
from yiyang.organisations.models import Admission

TODAY = date(2026, 12, 3)
CASES = [
    pytest.param(case, id=case["name"])
    for path in sorted((Path(__file__).parent / "payroll_cases").glob("*.yaml"))
    for case in yaml.safe_load(path.read_text(encoding="utf-8"))
]


def _month(text: str) -> date:
    return date.fromisoformat(f"{text}-01")


def _district_file(world: Any, spec: dict[str, Any], version: int) -> None:
    node: dict[str, Any] = {"values": {spec["start"]: {"value": spec["value"], "metadata": {"status": "verified"}}}}
    for key in reversed(spec["path"].split(".")):
        node = {key: node}
    content = yaml.safe_dump(node, allow_unicode=True)
    override = parse_district_document(content, version=version, effective_from=spec["start"])
    PolicyFile.objects.create(
        district=world.district,
        version=version,
        name="district.yaml",
        content=content,
        parameters=override_to_json(override),
        fingerprint=fingerprint(content),
        effective_from=spec["start"],
        loaded_by=world.users["bureau"],
    )


def _one_off(world: Any, spec: dict[str, Any]) -> Entitlement:
    subsidy = entitlement(world, spec["scheme"], organisation=world.orgs["institution0"], starts_on=date(2026, 10, 1))
    policy = district_policy(district_id=world.district.pk)
    for planned in one_off_plan(spec["scheme"], policy, date(2026, 10, 1), spec["facts"]):
        Instalment.objects.create(
            entitlement=subsidy,
            sequence=planned.sequence,
            due_month=planned.due_month,
            amount=yuan(planned.amount_fen),
            explanation=planned.explanation,
        )
    return subsidy


def _lines(run: PayrollRun) -> list[list[str]]:
    return [
        [kind, f"{for_month:%Y-%m}", str(amount)]
        for kind, for_month, amount in PayrollLine.objects.filter(run=run)
        .order_by("id")
        .values_list("kind", "for_month", "amount")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_payroll_case(case: dict[str, Any]) -> None:
    world = build_world()
    bureau = world.users["bureau"]
    elder = world.elders["resident0"]
    elder.economic_status = "dibao"
    elder.save()
    confirmed_level(elder, 2, date(2026, 1, 10), assessor=world.users["street0"], reviewer=world.users["medical0"])
    subsidy = entitlement(world, RESIDENT, elder=elder, starts_on=date(2026, 1, 1))
    versions = 0
    for step in case["steps"]:
        if "resident_entitlement" in step:
            subsidy.delete()
            subsidy.application.delete()
        elif "bed_entitlement" in step:
            subsidy = entitlement(
                world, BED, organisation=world.orgs[step["bed_entitlement"]], starts_on=date(2026, 1, 1)
            )
        elif "one_off" in step:
            subsidy = _one_off(world, step["one_off"])
        elif "fact" in step:
            fact = step["fact"]
            elder.refresh_from_db()
            elder_fact_change(
                actor=bureau, elder=elder, field=fact["field"], new_value=fact["value"],
                effective_on=fact["effective_on"], today=TODAY,
            )  # fmt: skip
        elif "level" in step:
            level, day = step["level"]
            confirmed_level(elder, level, day, assessor=world.users["street0"], reviewer=world.users["medical0"])
        elif "discharge" in step:
            Admission.objects.filter(elder=elder, discharged_on__isnull=True).update(
                discharged_on=step["discharge"], discharge_reason="home"
            )
            Admission.objects.filter(elder=elder).first().save()  # type: ignore[union-attr]  # updated_at
        elif "admit" in step:
            stay = Admission.objects.filter(elder=elder).first()
            assert stay is not None
            Admission.objects.create(
                elder=elder, organisation=stay.organisation, bed=stay.bed, admitted_on=step["admit"]
            )
        elif "district_file" in step:
            versions += 1
            _district_file(world, step["district_file"], versions)
        elif "compute" in step:
            month = _month(step["compute"])
            if "refused" in step:
                with pytest.raises(ValidationFailed) as refused:
                    payroll_compute(actor=bureau, district=world.district, month=month, today=TODAY)
                assert [e.code for e in refused.value.errors] == [step["refused"]]
            else:
                run = payroll_compute(actor=bureau, district=world.district, month=month, today=TODAY)
                assert _lines(run) == step["lines"]
                assert run.total == sum((Decimal(line[2]) for line in step["lines"]), Decimal("0.00"))
        elif "lines_of" in step:
            run = PayrollRun.objects.get(district=world.district, month=_month(step["lines_of"]))
            assert _lines(run) == step["lines"]
        elif "lock" in step:
            run = PayrollRun.objects.get(district=world.district, month=_month(step["lock"]))
            payroll_lock(actor=bureau, run=run)
            if "entitlement" in step:
                status, ends_on, reason = step["entitlement"]
                subsidy = Entitlement.objects.get(pk=subsidy.pk)
                assert [subsidy.status, subsidy.ends_on, subsidy.stop_reason] == [status, ends_on, reason]
        else:
            raise AssertionError(f"unknown step {step}")
