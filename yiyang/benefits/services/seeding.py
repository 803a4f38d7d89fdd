"""Demo benefits for the synthetic district: applications in every status and channel, entitlements of
every scheme, dated fact changes, budgets, and the payrolls of the last six months.

A bulk loader of invented data, like `yiyang.demo.seeding`: applications, attachments, entitlements
and instalments are written straight to the models (a service call per row would take minutes and
prove nothing the service tests do not); the payrolls are computed and locked through the real
services (`payroll_compute`, `payroll_lock`) as the district's officer, so every line and its
explanation is what the payroll itself writes. Run after `yiyang seed` and `yiyang seed_assessments`:
the resident subsidy goes to residents of licensed institutions who are 户籍 and have a confirmed
GB/T 42195 level.

What the demo shows (months relative to `today`; "last month" is the one before today's):
- five locked payrolls (last month − 5 … last month − 1) and last month's computed, not locked;
- every scheme with payees, one-off awards falling due in different months, some paid in full (ended)
  and some in last month's run (still active), Xiamen talent awards paid over years;
- exactly 2 care-worker entry awards (2 × 6,000 = 1.2 万) and 5 in-service awards
  (4 × 3,000 + 12,000 = 2.4 万), the totals the Quanzhou policy report gives;
- dated fact changes: an economic status changing mid-month, a death and a move out registered in
  time (the entitlements end on locking), and, registered only after the earlier months were locked,
  a backdated 低保 decision (arrears) and a death registered late (a recovery) in last month's run.

Randomness comes from one seeded stream consumed in a fixed order, so the same database and `seed`
give the same rows. Account numbers are synthetic and visibly so (`DEMO_PERSONAL_PREFIX`,
`DEMO_CORPORATE_PREFIX` followed by a serial number); budgets are invented demo figures.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.assessments.models import Assessment
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record
from yiyang.benefits import rules
from yiyang.benefits.choices import ApplicationStatus, Channel, PayrollStatus, Scheme, SubjectKind
from yiyang.benefits.models import Application, Attachment, Budget, Entitlement, Instalment, PayrollRun
from yiyang.benefits.selectors import district_policy
from yiyang.benefits.services.payroll import payroll_compute, payroll_lock
from yiyang.core.national_id import make_national_id
from yiyang.demo import data
from yiyang.demo.people import People
from yiyang.elders.choices import EconomicStatus, ElderStatus, HouseholdRegistration
from yiyang.elders.models import Elder, EmergencyContact, FactField, FamilyLink
from yiyang.elders.services.facts import fact_change_build
from yiyang.organisations.choices import BedState, DischargeReason, OrganisationKind
from yiyang.organisations.models import Admission, Bed, Organisation
from yiyang.organisations.selectors import licensed_institution_ids

Log = Callable[[str], None]

DEFAULT_SEED = 20261101
LOCKED_MONTHS = 5  # locked runs before last month's computed one
ABILITY_SCALE = "gbt42195-2022"
# Synthetic account numbers: a fixed, visibly artificial prefix and a serial number. Not any bank's
# real account format; never to be mistaken for a real account.
DEMO_PERSONAL_PREFIX = "62000000"
DEMO_CORPORATE_PREFIX = "3500000000"
BANKS = (
    "中国工商银行厦门湖里支行",
    "中国建设银行厦门湖里支行",
    "中国农业银行厦门湖里支行",
    "中国银行厦门湖里支行",
    "厦门农村商业银行湖里支行",
    "兴业银行厦门湖里支行",
    "厦门银行湖里支行",
    "中国邮政储蓄银行厦门湖里区支行",
)
# Pinyin of the demo streets by their place in code order (account names follow `street_huli`).
STREET_SLUGS = ("huli", "dianqian", "heshan", "jiangtou", "jinshan")
# Demo budgets for the current year (invented figures, yuan): one-off schemes as fixed amounts;
# the monthly schemes are sized from the seeded entitlements (see `_budgets`).
ONE_OFF_BUDGETS = {
    Scheme.STARTUP: Decimal("600000.00"),
    Scheme.RATING_REWARD: Decimal("300000.00"),
    Scheme.CARE_WORKER_ENTRY: Decimal("30000.00"),
    Scheme.CARE_WORKER_SERVICE: Decimal("60000.00"),
    Scheme.TALENT_ENTRY: Decimal("200000.00"),
    Scheme.TALENT_SKILL: Decimal("150000.00"),
    Scheme.TRAINING: Decimal("30000.00"),
}
RESIDENT_STREET_REFUSALS = (
    "申请材料不全：缺少户口簿复印件，请补齐后重新申请",
    "收款账户户名与申请人不一致，请核对后重新申请",
)
RESIDENT_DISTRICT_REFUSALS = (
    "经核查，该老人已在外区享受同类补贴，不能重复享受",
    "能力评估结论与入住机构护理记录不符，请复评后重新申请",
)
ATTACHMENTS: dict[str, tuple[str, ...]] = {
    SubjectKind.ELDER: ("身份证复印件.pdf", "户口簿复印件.pdf", "入住协议.pdf"),
    SubjectKind.ORGANISATION: ("养老机构备案回执.pdf", "法人登记证书.pdf", "床位核定表.pdf"),
    SubjectKind.WORKER: ("劳动合同.pdf", "职业资格或学历证书.pdf", "社会保险缴费证明.pdf"),
}


def _demo_pdf(title: str) -> bytes:
    """A one-page PDF that says it is a synthetic demo attachment (ASCII text, valid structure)."""
    text = f"Yiyang demo attachment (synthetic, not a real document): {title}"
    stream = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


ATTACHMENT_KINDS = {"身份证复印件.pdf": "identity", "户口簿复印件.pdf": "hukou"}


class BenefitsExist(Exception):
    """The district already has benefit applications or payrolls."""


def benefits_exist(*, district: Area) -> bool:
    return (
        Application.objects.filter(district=district).exists() or PayrollRun.objects.filter(district=district).exists()
    )


@dataclass
class BenefitsSeedReport:
    counts: dict[str, int] = field(default_factory=dict)
    runs: list[PayrollRun] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Planned:
    """An application to write, and what follows from it."""

    application: Application
    attachments: tuple[str, ...]
    approved: bool


def _month_back(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, index + 1, 1)


class BenefitsSeeder:
    """One run; `run()` writes everything in one transaction (all or nothing)."""

    def __init__(
        self, *, district: Area, officer: User, today: date, seed: int = DEFAULT_SEED, log: Log | None = None
    ) -> None:
        self.district = district
        self.officer = officer
        self.today = today
        self.rng = random.Random(seed)
        self.people = People(self.rng, clock_ms=0)
        self.seed = seed
        self.log: Log = log or (lambda message: None)
        self.zone = timezone.get_current_timezone()
        last = _month_back(rules.month_start(today), 1)
        self.months = [_month_back(last, LOCKED_MONTHS - i) for i in range(LOCKED_MONTHS + 1)]
        self.counts: dict[str, int] = {}
        self.serial = {"personal": 0, "corporate": 0}
        self.planned: list[_Planned] = []
        self.pdfs: dict[str, bytes] = {}

    # ------------------------------------------------------------------------------------- helpers
    def _at(self, day: date, *, earliest: int = 9, latest: int = 17) -> datetime:
        minute = self.rng.randint(earliest * 60, latest * 60 - 1)
        moment = datetime.combine(day, dt_time(minute // 60, minute % 60), tzinfo=self.zone)
        return min(moment, timezone.now() - timedelta(minutes=5))

    def _account(self, kind: str) -> str:
        self.serial[kind] += 1
        if kind == "corporate":
            return f"{DEMO_CORPORATE_PREFIX}{self.serial[kind]:010d}"
        return f"{DEMO_PERSONAL_PREFIX}{self.serial[kind]:011d}"

    def _bank(self) -> str:
        return BANKS[self.rng.randrange(len(BANKS))]

    def _day_in(self, month: date, first: int = 1, last: int = 25) -> date:
        return month + timedelta(days=self.rng.randint(first, last) - 1)

    # ----------------------------------------------------------------------------------------- run
    def run(self) -> BenefitsSeedReport:
        started = time.perf_counter()
        with transaction.atomic():
            if benefits_exist(district=self.district):
                raise BenefitsExist(self.district.code)
            self._accounts()
            self.policy = district_policy(district_id=self.district.pk)
            self._resident_applications()
            self._organisation_applications()
            self._worker_applications()
            self._write_family()
            self._write()
            self._budgets()
            runs = self._payrolls()
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                entity_type="demo_seed",
                entity_id=self.district.code,
                summary=f"生成演示补贴数据：{self.counts['applications']}份申请（seed={self.seed}）",
                district=self.district,
            )
        return BenefitsSeedReport(counts=dict(self.counts), runs=runs, seconds=time.perf_counter() - started)

    # ------------------------------------------------------------------------------------ accounts
    def _user(self, username: str, role: str, **extra: Any) -> User:
        """An account of a person who works the applications (no usable password: not a demo login)."""
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        return User.objects.create(
            username=username,
            password=make_password(None),
            full_name=self.people.name(local=True, female=self.rng.random() < 0.6),
            phone=self.people.mobile(),
            role=role,
            **extra,
        )

    def _accounts(self) -> None:
        """Per street a reviewer (`street_<slug>`, the demo's `street_huli` for the first) and a
        window clerk who submits and imports (`street_<slug>_clerk`); per institution a staff account
        (`institution_<slug>`, the demo's `institution_kangyi` for the first)."""
        self.streets = list(Area.objects.filter(level="street", district=self.district).order_by("code"))
        self.reviewer: dict[int, User] = {}
        self.clerk: dict[int, User] = {}
        for n, street in enumerate(self.streets):
            slug = STREET_SLUGS[n] if n < len(STREET_SLUGS) else street.code
            self.reviewer[street.pk] = self._user(f"street_{slug}", Role.STREET_STAFF, area=street)
            self.clerk[street.pk] = self._user(f"street_{slug}_clerk", Role.STREET_STAFF, area=street)
        slugs = {name: slug for name, slug, *_ in data.INSTITUTIONS}
        self.institutions = list(
            Organisation.objects.filter(district=self.district, kind=OrganisationKind.INSTITUTION).order_by("id")
        )
        licensed = licensed_institution_ids(district_id=self.district.pk)
        self.licensed = [org for org in self.institutions if org.pk in licensed]
        self.staff: dict[int, User] = {}
        for org in self.institutions:
            slug = slugs.get(org.name, str(org.pk))
            self.staff[org.pk] = self._user(f"institution_{slug}", Role.INSTITUTION_STAFF, organisation=org)
        self.beds = {org.pk: Bed.objects.filter(organisation=org).count() for org in self.institutions}

    # ------------------------------------------------------------------------------------- writing
    def _plan(
        self,
        *,
        scheme: str,
        kind: str,
        street_id: int,
        channel: str,
        applicant: User,
        submitted: date,
        requested_from: date,
        payee: tuple[str, str, str],
        status: str,
        elder: Elder | None = None,
        organisation: Organisation | None = None,
        worker: tuple[str, str] = ("", ""),
        facts: dict[str, Any] | None = None,
        refused_by: str = "",
        reason: str = "",
        key: str = "",
    ) -> None:
        """One application with the review history its status implies (dates in order, never ahead of
        now): street review 1–6 days after submission, district decision 2–10 days after that."""
        rng = self.rng
        submitted_at = self._at(submitted)
        reviewed_at = decided_at = None
        if status in (ApplicationStatus.STREET_APPROVED, ApplicationStatus.APPROVED) or (
            status == ApplicationStatus.REFUSED
        ):
            reviewed_at = self._at(min(submitted + timedelta(days=rng.randint(1, 6)), self.today))
            reviewed_at = max(reviewed_at, submitted_at + timedelta(hours=1))
        if status == ApplicationStatus.APPROVED or (status == ApplicationStatus.REFUSED and refused_by == "district"):
            assert reviewed_at is not None
            decided_at = self._at(min(reviewed_at.date() + timedelta(days=rng.randint(2, 10)), self.today))
            decided_at = max(decided_at, reviewed_at + timedelta(hours=1))
        street_refused = status == ApplicationStatus.REFUSED and refused_by != "district"
        application = Application(
            scheme=scheme,
            subject_kind=kind,
            district=self.district,
            street_id=street_id,
            elder=elder,
            organisation=organisation,
            worker_name=worker[0],
            worker_national_id=worker[1],
            facts=facts or {},
            channel=channel,
            applicant=applicant,
            requested_from=requested_from,
            payee_name=payee[0],
            payee_account=payee[1],
            payee_bank=payee[2],
            status=status,
            submitted_at=submitted_at,
            street_reviewer=self.reviewer[street_id] if reviewed_at else None,
            street_reviewed_at=reviewed_at,
            street_note=("材料齐全，情况属实" if not street_refused else "") if reviewed_at else "",
            decided_by=self.officer if decided_at else None,
            decided_at=decided_at,
            refusal_reason=reason if status == ApplicationStatus.REFUSED else "",
            idempotency_key=key,
        )
        names = ATTACHMENTS[kind]
        attachments = names[: rng.randint(1, len(names))] if kind != SubjectKind.ELDER else names[:2]
        self.planned.append(_Planned(application, attachments, status == ApplicationStatus.APPROVED))

    def _write(self) -> None:
        applications = Application.objects.bulk_create([p.application for p in self.planned], batch_size=2000)
        attachments: list[Attachment] = []
        entitlements: list[Entitlement] = []
        for planned, application in zip(self.planned, applications, strict=True):
            for name in planned.attachments:
                content = self.pdfs.setdefault(name, _demo_pdf(ATTACHMENT_KINDS.get(name, "document")))
                attachments.append(
                    Attachment(
                        application=application,
                        name=name,
                        content_type="application/pdf",
                        size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(),
                        content=content,
                        uploaded_by=application.applicant,
                    )
                )
            if planned.approved:
                entitlements.append(
                    Entitlement(
                        application=application,
                        scheme=application.scheme,
                        subject_kind=application.subject_kind,
                        district=application.district,
                        street_id=application.street_id,
                        elder=application.elder,
                        organisation=application.organisation,
                        worker_name=application.worker_name,
                        facts=dict(application.facts),
                        payee_name=application.payee_name,
                        payee_account=application.payee_account,
                        payee_bank=application.payee_bank,
                        starts_on=application.requested_from,
                    )
                )
        Attachment.objects.bulk_create(attachments, batch_size=1000)
        entitlements = Entitlement.objects.bulk_create(entitlements, batch_size=2000)
        instalments = [
            Instalment(
                entitlement=entitlement,
                sequence=item.sequence,
                due_month=item.due_month,
                amount=rules.yuan(item.amount_fen),
                explanation=item.explanation,
            )
            for entitlement in entitlements
            if entitlement.scheme not in rules.MONTHLY_SCHEMES
            for item in rules.one_off_plan(
                entitlement.scheme, self.policy, entitlement.starts_on, dict(entitlement.facts)
            )
        ]
        Instalment.objects.bulk_create(instalments, batch_size=2000)
        self.entitlements = entitlements
        self.counts.update(
            applications=len(applications),
            attachments=len(attachments),
            entitlements=len(entitlements),
            instalments=len(instalments),
        )
        self.log(
            f"  申请 {len(applications):,}（附件 {len(attachments):,}），待遇 {len(entitlements):,}，"
            f"分期 {len(instalments):,}"
        )

    # ------------------------------------------------------------------------------------ residents
    def _resident_candidates(self) -> list[tuple[Elder, int, date, date, date | None]]:
        """(elder, institution pk, admitted_on, first assessed_on, last valid_until) of registered,
        living residents of licensed institutions with a confirmed GB/T 42195 level, by elder id."""
        stays = {
            elder_id: (org_id, admitted_on)
            for elder_id, org_id, admitted_on in Admission.objects.filter(
                organisation_id__in=[o.pk for o in self.licensed],
                discharged_on__isnull=True,
                elder__district=self.district,
            ).values_list("elder_id", "organisation_id", "admitted_on")
        }
        levels: dict[int, tuple[date, date | None]] = {}
        for elder_id, assessed_on, valid_until in (
            Assessment.objects.filter(
                scale=ABILITY_SCALE, status="confirmed", level__isnull=False, elder__district=self.district
            )
            .order_by("elder_id", "assessed_on")
            .values_list("elder_id", "assessed_on", "valid_until")
        ):
            if elder_id in stays:
                first = levels.get(elder_id, (assessed_on, None))[0]
                levels[elder_id] = (first, valid_until)
        elders = Elder.objects.filter(
            pk__in=list(levels),
            household_registration=HouseholdRegistration.REGISTERED,
            status=ElderStatus.ACTIVE,
        ).order_by("id")
        return [(e, stays[e.pk][0], stays[e.pk][1], *levels[e.pk]) for e in elders]

    def _family_account(self, elder: Elder) -> tuple[User, str]:
        """A family account linked to the elder, named as its first emergency contact (or drawn);
        written in bulk by `_write_family`."""
        name, relation = self.contacts.get(elder.pk) or (
            self.people.name(local=True, female=self.rng.random() < 0.5),
            "子女",
        )
        user = User(
            username=f"family_{elder.public_id.hex[-12:]}",
            password=make_password(None),
            full_name=name,
            phone=self.people.mobile(),
            role=Role.FAMILY,
        )
        self.family.append((user, FamilyLink(elder=elder, user=user, relation=relation)))
        return user, name

    def _write_family(self) -> None:
        User.objects.bulk_create([user for user, _link in self.family])
        FamilyLink.objects.bulk_create([link for _user, link in self.family])
        self.counts["family_accounts"] = len(self.family)

    def _resident_applications(self) -> None:
        rng = self.rng
        candidates = self._resident_candidates()
        self.family: list[tuple[User, FamilyLink]] = []
        self.contacts: dict[int, tuple[str, str]] = {}
        for elder_id, name, relation in (
            EmergencyContact.objects.filter(elder_id__in=[c[0].pk for c in candidates])
            .order_by("elder_id", "-priority", "-id")
            .values_list("elder_id", "name", "relation")
        ):
            self.contacts[elder_id] = (name, relation)  # the first in calling order comes last
        self.resident_paid: list[tuple[Elder, int, date | None]] = []  # approved, paid from the first month
        counts = dict.fromkeys(ApplicationStatus.values, 0)
        for elder, org_id, admitted_on, assessed_on, valid_until in candidates:
            if rng.random() < 0.05:
                continue  # not applied (yet)
            eligible = max(admitted_on, assessed_on)
            submitted = min(eligible + timedelta(days=rng.randint(2, 12)), self.today - timedelta(days=1))
            age = (self.today - submitted).days
            r = rng.random()
            refused_by = reason = ""
            if age < 8:
                status = ApplicationStatus.SUBMITTED
            elif age < 20:
                status = ApplicationStatus.STREET_APPROVED
            elif r < 0.86:
                status = ApplicationStatus.APPROVED
            elif r < 0.93:
                status = ApplicationStatus.REFUSED
                refused_by = "street" if r < 0.895 else "district"
                pool = RESIDENT_STREET_REFUSALS if refused_by == "street" else RESIDENT_DISTRICT_REFUSALS
                reason = pool[rng.randrange(len(pool))]
            else:
                status = ApplicationStatus.WITHDRAWN
            c = rng.random()
            channel = (
                Channel.INSTITUTION
                if c < 0.7
                else Channel.FAMILY
                if c < 0.8
                else Channel.STREET
                if c < 0.92
                else Channel.IMPORT
            )
            payee_name = elder.name
            if channel == Channel.INSTITUTION:
                applicant = self.staff[org_id]
            elif channel == Channel.FAMILY:
                applicant, payee_name = self._family_account(elder)
            else:
                applicant = self.clerk[elder.street_id]
            key = f"import-{submitted:%Y%m}-{elder.public_id.hex}" if channel == Channel.IMPORT else ""
            self._plan(
                scheme=Scheme.RESIDENT_CARE,
                kind=SubjectKind.ELDER,
                street_id=elder.street_id,
                channel=channel,
                applicant=applicant,
                submitted=submitted,
                requested_from=eligible,
                payee=(payee_name, self._account("personal"), self._bank()),
                status=status,
                elder=elder,
                refused_by=refused_by,
                reason=reason,
                key=key,
            )
            counts[status] += 1
            if (
                status == ApplicationStatus.APPROVED
                and eligible < self.months[0]
                and valid_until is not None
                and valid_until >= self.today
            ):
                self.resident_paid.append((elder, org_id, valid_until))
        self.counts["resident_applications"] = sum(counts.values())
        self.log(
            "  入住机构养老服务补贴申请：" + "，".join(f"{ApplicationStatus(s).label} {c}" for s, c in counts.items())
        )

    # ------------------------------------------------------------------------------ organisations
    def _org_payee(self, org: Organisation) -> tuple[str, str, str]:
        return (org.name, self._account("corporate"), self._bank())

    def _org_application(
        self, scheme: str, org: Organisation, status: str, month: date, facts: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        submitted = self._day_in(_month_back(month, 1), 5, 20)
        self._plan(
            scheme=scheme,
            kind=SubjectKind.ORGANISATION,
            street_id=org.street_id,
            channel=Channel.INSTITUTION,
            applicant=self.staff[org.pk],
            submitted=submitted,
            requested_from=month,
            payee=self._org_payee(org),
            status=status,
            organisation=org,
            facts=facts,
            **kw,
        )

    def _organisation_applications(self) -> None:
        """Bed operation subsidy for every licensed institution (since the start of last year); start-up
        subsidies and rating rewards for a few, paid in different months, one of each refused or
        pending."""
        m = self.months
        since = date(m[0].year - 1, 1, 1)
        approved = ApplicationStatus.APPROVED
        for org in self.licensed:
            self._org_application(Scheme.BED_OPERATION, org, approved, since)
        orgs = self.licensed[::-1]  # the smallest last in the demo list: start-up suits them
        if len(orgs) >= 3:
            self._org_application(
                Scheme.STARTUP,
                orgs[0],
                approved,
                m[2],
                {"approved_beds": self.beds[orgs[0].pk], "premises": "rented", "lease_years": 8},
            )
            self._org_application(
                Scheme.STARTUP,
                orgs[1],
                approved,
                m[5],
                {"approved_beds": self.beds[orgs[1].pk], "premises": "own_building"},
            )
            self._org_application(
                Scheme.STARTUP,
                orgs[2],
                ApplicationStatus.REFUSED,
                m[4],
                {"approved_beds": self.beds[orgs[2].pk], "premises": "rented", "lease_years": 3},
                refused_by="district",
                reason="租赁用房租期 3 年，短于开办补助要求的 5 年",
            )
        grades = [
            (ApplicationStatus.APPROVED, 4, m[1], {}),
            (ApplicationStatus.APPROVED, 3, m[5], {}),
            (ApplicationStatus.STREET_APPROVED, 2, rules.month_start(self.today), {}),
            (
                ApplicationStatus.REFUSED,
                5,
                m[3],
                {"refused_by": "street", "reason": "评定等级证书显示为三级，与申报的五级不符，请核对后重新申请"},
            ),
        ]
        for org, (status, grade, month, extra) in zip(self.licensed, grades, strict=False):
            rated = month - timedelta(days=40)
            self._org_application(
                Scheme.RATING_REWARD,
                org,
                status,
                month,
                {"rating_grade": grade, "rated_on": rated.isoformat()},
                **extra,
            )

    # -------------------------------------------------------------------------------------- workers
    def _worker(self) -> tuple[str, str]:
        female = self.rng.random() < 0.8
        birth = date(self.rng.randint(1968, 2001), self.rng.randint(1, 12), self.rng.randint(1, 28))
        area = ("350206", "350203", "350581", "350582", "350322", "360781")[self.rng.randrange(6)]
        sequence = self.rng.randrange(0, 998, 2) + (0 if female else 1)
        return self.people.name(local=True, female=female), make_national_id(area, birth, sequence)

    def _worker_application(
        self, scheme: str, status: str, month: date, facts: dict[str, Any], *, n: int, **kw: Any
    ) -> None:
        if not self.institutions:
            return
        org = self.institutions[n % len(self.institutions)]
        name, national_id = self._worker()
        submitted = self._day_in(_month_back(month, 1), 5, 25)
        self._plan(
            scheme=scheme,
            kind=SubjectKind.WORKER,
            street_id=org.street_id,
            channel=Channel.INSTITUTION if n % 3 else Channel.STREET,
            applicant=self.staff[org.pk] if n % 3 else self.clerk[org.street_id],
            submitted=submitted,
            requested_from=month,
            payee=(name, self._account("personal"), self._bank()),
            status=status,
            organisation=org,
            worker=(name, national_id),
            facts=facts,
            **kw,
        )

    def _worker_applications(self) -> None:
        """Quanzhou care-worker awards (exactly 2 entry awards of 6,000 and 5 in-service awards:
        4 × 3,000 + 12,000), Xiamen talent awards paid over years, training subsidies; plus a few
        pending, refused and withdrawn ones."""
        m, ok = self.months, ApplicationStatus.APPROVED
        this_month = rules.month_start(self.today)
        plans: list[tuple[str, str, date, dict[str, Any], dict[str, Any]]] = [
            (Scheme.CARE_WORKER_ENTRY, ok, m[3], {"education": "higher_education", "years_of_service": 3}, {}),
            (Scheme.CARE_WORKER_ENTRY, ok, m[5], {"education": "higher_education", "years_of_service": 4}, {}),
            (
                Scheme.CARE_WORKER_ENTRY,
                ApplicationStatus.SUBMITTED,
                this_month,
                {"education": "secondary_vocational", "years_of_service": 3},
                {},
            ),
            (
                Scheme.CARE_WORKER_ENTRY,
                ApplicationStatus.REFUSED,
                m[4],
                {"education": "secondary_vocational", "years_of_service": 1},
                {"refused_by": "street", "reason": "在本机构一线工作 1 年，不满 3 年"},
            ),
        ]
        for month, years in ((m[0], 5), (m[2], 7), (m[4], 3), (m[5], 12), (m[5], 4)):
            plans.append(
                (Scheme.CARE_WORKER_SERVICE, ok, month, {"years_of_service": years, "lower_award_paid": False}, {})
            )
        plans.append(
            (
                Scheme.CARE_WORKER_SERVICE,
                ApplicationStatus.WITHDRAWN,
                m[4],
                {"years_of_service": 6, "lower_award_paid": False},
                {},
            )
        )
        # Xiamen talent awards: instalments fall due on each anniversary of hiring or certification.
        for degree, month in (("bachelor", m[1]), ("college", m[3]), ("secondary", m[5])):
            hired = date(month.year - 1, month.month, 10)
            plans.append((Scheme.TALENT_ENTRY, ok, month, {"degree": degree, "hired_on": hired.isoformat()}, {}))
        hired = date(this_month.year - 1, this_month.month, 3)
        plans.append(
            (
                Scheme.TALENT_ENTRY,
                ApplicationStatus.STREET_APPROVED,
                this_month,
                {"degree": "college", "hired_on": hired.isoformat()},
                {},
            )
        )
        for grade, month in ((4, m[2]), (3, m[5])):
            certified = date(month.year - 1, month.month, 15)
            plans.append(
                (Scheme.TALENT_SKILL, ok, month, {"skill_grade": grade, "certified_on": certified.isoformat()}, {})
            )
        for k, (grade, month) in enumerate(
            (
                (5, m[0]),
                (4, m[0]),
                (5, m[1]),
                (3, m[2]),
                (5, m[3]),
                (4, m[3]),
                (5, m[4]),
                (4, m[5]),
                (5, m[5]),
                (3, m[5]),
            )
        ):
            certified = month - timedelta(days=20 + k)
            plans.append(
                (Scheme.TRAINING, ok, month, {"certificate_grade": grade, "certified_on": certified.isoformat()}, {})
            )
        plans.append(
            (
                Scheme.TRAINING,
                ApplicationStatus.REFUSED,
                m[4],
                {"certificate_grade": 4, "certified_on": (m[4] - timedelta(days=30)).isoformat()},
                {"refused_by": "district", "reason": "同一证书已于去年领取培训补贴，不能重复享受"},
            )
        )
        plans.append(
            (
                Scheme.TRAINING,
                ApplicationStatus.SUBMITTED,
                this_month,
                {"certificate_grade": 5, "certified_on": (this_month - timedelta(days=12)).isoformat()},
                {},
            )
        )
        for n, (scheme, status, month, facts, extra) in enumerate(plans):
            self._worker_application(scheme, status, month, facts, n=n, **extra)

    # -------------------------------------------------------------------------------------- budgets
    def _budgets(self) -> None:
        """A budget per scheme for the year of last month (invented demo figures): the monthly
        schemes sized from the seeded entitlements and beds, rounded up to 10,000 yuan."""
        year = self.months[-1].year
        residents = sum(1 for e in self.entitlements if e.scheme == Scheme.RESIDENT_CARE)
        beds = sum(self.beds[o.pk] for o in self.licensed)

        def round_up(amount: int) -> Decimal:
            return Decimal(-(-amount // 10_000) * 10_000).quantize(Decimal("0.01"))

        amounts = {
            Scheme.RESIDENT_CARE: round_up(residents * 700 * 12),
            Scheme.BED_OPERATION: round_up(int(beds * 0.75 * 1100)),
            **ONE_OFF_BUDGETS,
        }
        Budget.objects.bulk_create(
            Budget(district=self.district, scheme=scheme, year=year, amount=amount, set_by=self.officer)
            for scheme, amount in amounts.items()
        )
        self.counts["budgets"] = len(amounts)

    # ------------------------------------------------------------------------------- fact changes
    def _change(self, elder: Elder, fact: str, value: str, on: date, basis: str) -> None:
        """A dated change recorded now, and the elder row updated to it (as the service does)."""
        change = fact_change_build(
            elder=elder,
            field=fact,
            new_value=value,
            effective_on=on,
            recorded_at=timezone.now(),
            recorded_by=self.officer,
            basis=basis,
        )
        change.save()
        setattr(elder, fact, value)
        Elder.objects.filter(pk=elder.pk).update(**{fact: value, "updated_at": timezone.now()})
        self.counts["fact_changes"] = self.counts.get("fact_changes", 0) + 1

    def _discharge(self, elder: Elder, on: date, reason: str) -> None:
        admission = Admission.objects.filter(elder=elder, discharged_on__isnull=True).first()
        if admission is None:
            return
        Admission.objects.filter(pk=admission.pk).update(
            discharged_on=on, discharge_reason=reason, updated_at=timezone.now()
        )
        Bed.objects.filter(pk=admission.bed_id).update(state=BedState.FREE)

    def _pick(self, used: set[int], economic: tuple[str, ...] | None = None) -> Elder | None:
        for elder, _org, _valid in self.resident_paid:
            if elder.pk in used or (economic is not None and elder.economic_status not in economic):
                continue
            used.add(elder.pk)
            return elder
        return None

    def _events(self) -> dict[str, list[Callable[[], None]]]:
        """What happens when, relative to the payroll months: "before:<i>" runs before month i is
        computed; "late" after the last locked month is locked (registered after the fact)."""
        m = self.months
        used: set[int] = set()
        plan: dict[str, list[Callable[[], None]]] = {}

        def at(when: str, action: Callable[[], None]) -> None:
            plan.setdefault(when, []).append(action)

        low = self._pick(used, (EconomicStatus.LOW_INCOME,))
        if low is not None:
            day = m[2] + timedelta(days=9)
            basis = "特困人员认定决定书"
            at("before:2", partial(self._change, low, FactField.ECONOMIC_STATUS, EconomicStatus.TEKUN, day, basis))
        died = self._pick(used)
        if died is not None:
            day = m[2] + timedelta(days=13)
            at("before:2", partial(self._change, died, FactField.STATUS, ElderStatus.DECEASED, day, "死亡证明"))
            at("before:2", partial(self._discharge, died, day, DischargeReason.DECEASED))
        moved = self._pick(used)
        if moved is not None:
            day = m[3] + timedelta(days=19)
            at("before:3", partial(self._change, moved, FactField.STATUS, ElderStatus.MOVED_OUT, day, "户口迁出证明"))
            at("before:3", partial(self._discharge, moved, day, DischargeReason.TRANSFER))
        backdated = self._pick(used, (EconomicStatus.ORDINARY, EconomicStatus.LOW_INCOME))
        if backdated is not None:
            basis = "低保审批决定（自该月起享受），补登"
            at("late", partial(self._change, backdated, FactField.ECONOMIC_STATUS, EconomicStatus.DIBAO, m[1], basis))
        late = self._pick(used)
        if late is not None:
            day = m[4] + timedelta(days=19)
            basis = "死亡证明（家属补报）"
            at("late", partial(self._change, late, FactField.STATUS, ElderStatus.DECEASED, day, basis))
            at("late", partial(self._discharge, late, day, DischargeReason.DECEASED))
        return plan

    # ------------------------------------------------------------------------------------ payrolls
    def _payrolls(self) -> list[PayrollRun]:
        events = self._events()
        runs: list[PayrollRun] = []
        for i, month in enumerate(self.months):
            if i == len(self.months) - 1:
                for action in events.get("late", []):
                    action()
            for action in events.get(f"before:{i}", []):
                action()
            run = payroll_compute(actor=self.officer, district=self.district, month=month, today=self.today)
            if i < len(self.months) - 1:
                run = payroll_lock(actor=self.officer, run=run)
            runs.append(run)
            self.log(
                f"  {month:%Y-%m} 发放表：{run.line_count:,} 笔，合计 {run.total:,} 元"
                f"（{'已锁定' if run.status == PayrollStatus.LOCKED else '已计算待锁定'}）"
            )
        self.counts["payroll_runs"] = len(runs)
        return runs
