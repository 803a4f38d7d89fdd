"""Benefits: district policy files, applications, entitlements, monthly payrolls and budgets.

Money is `Decimal` yuan with two places in every column; the payroll computes in integer fen and
converts once (see rules.py). A locked payroll's lines are never changed: a later correction is a new
line in a later payroll that names the month it corrects.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.benefits.choices import (
    ApplicationStatus,
    Channel,
    EntitlementStatus,
    LineKind,
    PayrollStatus,
    Scheme,
    StopReason,
    SubjectKind,
)
from yiyang.core.fields import EncryptedTextField
from yiyang.core.models import BaseModel


class PolicyFile(BaseModel):
    """A district's own parameter values, in the OpenFisca parameter format, versioned per district.

    Values in a file take effect from the dates they are keyed by (never before `effective_from`); a
    later version of the same district replaces the earlier one for the parameters it names.
    """

    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("文件名"), max_length=200)
    content = models.TextField(_("内容"))
    parameters = models.JSONField(_("参数"), default=dict)  # path -> list of dated values, as parsed
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        ordering = ["district_id", "-version"]
        verbose_name = _("区级政策文件")
        verbose_name_plural = _("区级政策文件")
        constraints = [models.UniqueConstraint(fields=["district", "version"], name="policy_file_version_unique")]

    def __str__(self) -> str:
        return f"{self.district_id} v{self.version} {self.name}"


class Application(BaseModel):
    """A request for one scheme for one subject: an elder, an organisation or a care worker.

    `facts` are the facts the applicant declares that the registry does not hold (approved beds and
    premises for a start-up subsidy, the rating grade, a worker's education and years of service);
    the reviewers see them with the attachments and approve or refuse them as a whole.
    """

    scheme = models.CharField(_("补贴项目"), max_length=40, choices=Scheme.choices, db_index=True)
    subject_kind = models.CharField(_("对象类型"), max_length=16, choices=SubjectKind.choices)
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    street = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("老年人")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("机构"),
    )
    worker_name = models.CharField(_("护理人员姓名"), max_length=100, blank=True)
    worker_national_id = EncryptedTextField(_("护理人员身份证号"), max_length=18, blank=True)
    facts = models.JSONField(_("申报事实"), default=dict, blank=True)
    channel = models.CharField(_("申请渠道"), max_length=16, choices=Channel.choices)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_from = models.DateField(_("申请享受起始日期"))
    payee_name = models.CharField(_("收款人"), max_length=100)
    payee_account = EncryptedTextField(_("收款账号"), max_length=32)
    payee_bank = models.CharField(_("开户行"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    street_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    street_reviewed_at = models.DateTimeField(_("街道审核时间"), null=True, blank=True)
    street_note = models.CharField(_("街道审核意见"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    refusal_reason = models.CharField(_("不予通过原因"), max_length=500, blank=True)
    # The same key twice is one application (a retried request or a re-imported row).
    idempotency_key = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        indexes = [models.Index(fields=["district", "status", "-submitted_at"], name="benefit_app_queue")]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="benefit_app_idempotency",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.public_id}"


class Attachment(BaseModel):
    """A supporting document of an application (a licence, a certificate, a 低保 decision)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Entitlement(BaseModel):
    """An approved right to a scheme's payments, from `starts_on` until `ends_on` (open when null).

    Monthly schemes are computed each month from the facts of that month; an entitlement whose facts
    stop (discharge, death, moving out) is ended by the payroll with the day and the reason. One-off
    schemes are paid by their `Instalment`s.
    """

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="entitlement")
    scheme = models.CharField(_("补贴项目"), max_length=40, choices=Scheme.choices, db_index=True)
    subject_kind = models.CharField(_("对象类型"), max_length=16, choices=SubjectKind.choices)
    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    street = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道"))
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("老年人")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("机构"),
    )
    worker_name = models.CharField(_("护理人员姓名"), max_length=100, blank=True)
    facts = models.JSONField(_("核定事实"), default=dict, blank=True)
    payee_name = models.CharField(_("收款人"), max_length=100)
    payee_account = EncryptedTextField(_("收款账号"), max_length=32)
    payee_bank = models.CharField(_("开户行"), max_length=100)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=EntitlementStatus.choices, default=EntitlementStatus.ACTIVE, db_index=True
    )
    stop_reason = models.CharField(_("终止原因"), max_length=16, choices=StopReason.choices, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("补贴待遇")
        verbose_name_plural = _("补贴待遇")
        indexes = [models.Index(fields=["district", "scheme", "status"], name="entitlement_payroll")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.public_id}"


class Instalment(BaseModel):
    """One payment of a one-off scheme: due from `due_month` (the 1st of a month), paid by one line."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    due_month = models.DateField(_("应发月份"))
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    explanation = models.JSONField(_("计算说明"), default=dict)

    class Meta:
        ordering = ["entitlement_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["entitlement", "sequence"], name="instalment_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.entitlement_id}#{self.sequence}"


class PayrollRun(BaseModel):
    """One district's payroll for one month. Computed (may be recomputed) until locked; then final."""

    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    month = models.DateField(_("发放月份"))  # the 1st of the month
    status = models.CharField(
        _("状态"), max_length=16, choices=PayrollStatus.choices, default=PayrollStatus.COMPUTED, db_index=True
    )
    total = models.DecimalField(_("合计"), max_digits=14, decimal_places=2, default=0)
    line_count = models.PositiveIntegerField(_("笔数"), default=0)
    # Every parameter value the run used, keyed as the lines' explanations name them, with the file,
    # effective date, reference and verified mark: the lines stay explainable if a file changes later.
    parameters = models.JSONField(_("所用参数"), default=dict)
    # Entitlements whose facts stopped in the month: {entitlement pk: {on, reason}}, applied on locking.
    stops = models.JSONField(_("终止"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month", "district_id"]
        verbose_name = _("月度发放表")
        verbose_name_plural = _("月度发放表")
        constraints = [models.UniqueConstraint(fields=["district", "month"], name="payroll_run_month_unique")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.month:%Y-%m} {self.status}"


class PayrollLine(models.Model):
    """One payment to one payee in one run, with its explanation.

    `for_month` is the month the money is for: the run's month for regular lines, the corrected month
    for arrears and recoveries. What was paid for an entitlement and month is the sum of its lines with
    that `for_month` in locked runs.

    The account number is the entitlement's (`payee_account`), never copied: an entitlement's account
    does not change (a new account is a new application), and a payroll of a million lines would
    otherwise decrypt and re-encrypt a million numbers.
    """

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="lines")
    instalment = models.OneToOneField(
        Instalment, on_delete=models.PROTECT, null=True, blank=True, related_name="paid_by"
    )
    scheme = models.CharField(max_length=40, choices=Scheme.choices)
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    for_month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    payee_name = models.CharField(max_length=100)
    payee_bank = models.CharField(max_length=100)
    explanation = models.JSONField(default=dict)

    class Meta:
        ordering = ["run_id", "id"]
        indexes = [
            models.Index(fields=["entitlement", "for_month"], name="payroll_line_paid_for"),
            models.Index(fields=["run", "scheme"], name="payroll_line_scheme"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.entitlement_id} {self.amount}"

    @property
    def payee_account(self) -> str:
        return self.entitlement.payee_account


class Budget(BaseModel):
    """A district's yearly budget for one scheme."""

    district = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    scheme = models.CharField(_("补贴项目"), max_length=40, choices=Scheme.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("预算金额"), max_digits=14, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "scheme"]
        verbose_name = _("年度预算")
        verbose_name_plural = _("年度预算")
        constraints = [models.UniqueConstraint(fields=["district", "scheme", "year"], name="benefit_budget_unique")]

    def __str__(self) -> str:
        return f"{self.district_id} {self.scheme} {self.year}"
