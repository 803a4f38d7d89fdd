"""Rows the payroll tests share: a resident with a confirmed level and an approved entitlement."""

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from yiyang.assessments.models import Assessment
from yiyang.benefits.choices import Channel, Scheme, SubjectKind
from yiyang.benefits.models import Application, Entitlement


def confirmed_level(
    elder: Any, level: int, assessed_on: date, *, assessor: Any, reviewer: Any, confirmed_at: datetime | None = None
) -> Assessment:
    return Assessment.objects.create(
        elder=elder,
        scale="gbt42195-2022",
        family="ability",
        reason="first",
        assessed_on=assessed_on,
        status="confirmed",
        level=level,
        confirmed_at=confirmed_at or timezone.now(),
        assessor=assessor,
        reviewer=reviewer,
        submitted_at=confirmed_at or timezone.now(),
        result={"level": level},
    )


def entitlement(
    world: Any, scheme: str, *, elder: Any = None, organisation: Any = None, starts_on: date
) -> Entitlement:
    street = elder.street if elder is not None else organisation.street
    subject = SubjectKind.ELDER if elder is not None else SubjectKind.ORGANISATION
    application = Application.objects.create(
        scheme=scheme,
        subject_kind=subject,
        district=world.district,
        street=street,
        elder=elder,
        organisation=organisation,
        channel=Channel.STREET,
        applicant=world.users["street0"],
        requested_from=starts_on,
        payee_name="收款人",
        payee_account="6222020000000001",
        payee_bank="工商银行",
        status="approved",
        submitted_at=timezone.now(),
    )
    return Entitlement.objects.create(
        application=application,
        scheme=scheme,
        subject_kind=subject,
        district=world.district,
        street=street,
        elder=elder,
        organisation=organisation,
        payee_name="收款人",
        payee_account="6222020000000001",
        payee_bank="工商银行",
        starts_on=starts_on,
    )


RESIDENT = Scheme.RESIDENT_CARE
BED = Scheme.BED_OPERATION
