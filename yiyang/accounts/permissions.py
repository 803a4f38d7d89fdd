"""Named permissions and the default set each role starts with.

A permission answers "may this person do X at all"; *where* they may do it is their scope
(see `yiyang.accounts.access`). Roles are templates: an officer can grant or withdraw a single
permission for one account.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.choices import Role


class Perm(models.TextChoices):
    ELDERS_VIEW = "elders.view", _("查看老年人档案")
    ELDERS_CREATE = "elders.create", _("登记老年人")
    ELDERS_CHANGE = "elders.change", _("修改老年人档案")
    ELDERS_IMPORT = "elders.import", _("导入老年人花名册")
    ELDERS_EXPORT = "elders.export", _("导出列表")
    ORGS_VIEW = "organisations.view", _("查看机构")
    ORGS_CHANGE = "organisations.change", _("登记和修改机构")
    BEDS_MANAGE = "beds.manage", _("管理床位与入住")
    AREAS_VIEW = "areas.view", _("查看行政区域")
    AUDIT_VIEW = "audit.view", _("查看审计日志")
    STAFF_MANAGE = "accounts.manage", _("管理工作人员账号")
    ASSESSMENTS_VIEW = "assessments.view", _("查看能力评估")
    # Drafting and submitting also needs the assessor qualification (`User.is_assessor`).
    ASSESSMENTS_CREATE = "assessments.create", _("开展能力评估")
    ASSESSMENTS_REVIEW = "assessments.review", _("审核能力评估")
    POLICY_MANAGE = "assessments.policy", _("管理评估政策数据")
    ALERTS_VIEW = "alerts.view", _("查看告警")
    # Acknowledge, dispatch, mark on scene and close an alert.
    ALERTS_HANDLE = "alerts.handle", _("处置告警")
    # Receives the supervisor step of an escalation and sees the SLA report.
    ALERTS_SUPERVISE = "alerts.supervise", _("督办告警")
    ALERTS_CONFIGURE = "alerts.configure", _("配置告警升级策略")
    DEVICES_VIEW = "devices.view", _("查看监测设备")
    DEVICES_MANAGE = "devices.manage", _("登记、绑定和管理监测设备")
    # Monitoring rules: changing a district's rules moves every elder's thresholds at once (a district
    # policy decision), while an elder's monitoring profile (COPD / dementia flags, personal override)
    # is a care decision for one elder in reach. Two change rights keep those with different people.
    MONITORING_RULES_VIEW = "monitoring.rules.view", _("查看监测规则")
    MONITORING_RULES_CHANGE = "monitoring.rules.change", _("修改辖区监测规则")
    MONITORING_PROFILE_CHANGE = "monitoring.profile.change", _("修改老年人监测设置")
    BENEFITS_VIEW = "benefits.view", _("查看补贴申请与发放")
    # Submit an application for an elder, an organisation or a care worker in reach.
    BENEFITS_APPLY = "benefits.apply", _("提交补贴申请")
    BENEFITS_REVIEW = "benefits.review", _("街道审核补贴申请")
    BENEFITS_APPROVE = "benefits.approve", _("区级审批补贴申请")
    # Compute, lock and export the monthly payroll; set budgets.
    BENEFITS_PAYROLL = "benefits.payroll", _("编制月度发放表")
    # Load a district policy file; try a draft value (what-if).
    BENEFITS_POLICY = "benefits.policy", _("管理补贴政策参数")


_ALL = frozenset(Perm)
_AREA_READ = frozenset({Perm.AREAS_VIEW, Perm.ORGS_VIEW})
_ASSESS = frozenset({Perm.ASSESSMENTS_VIEW, Perm.ASSESSMENTS_CREATE})
_ALERTS_HANDLE = frozenset({Perm.ALERTS_VIEW, Perm.ALERTS_HANDLE})
_DEVICES = frozenset({Perm.DEVICES_VIEW, Perm.DEVICES_MANAGE})
# District rules are changed by bureau officers (all rights); frontline staff and doctors set profiles.
_MONITORING_PROFILES = frozenset({Perm.MONITORING_RULES_VIEW, Perm.MONITORING_PROFILE_CHANGE})
_BENEFITS_APPLY = frozenset({Perm.BENEFITS_VIEW, Perm.BENEFITS_APPLY})

ROLE_DEFAULT_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.BUREAU_OFFICER: _ALL,
    Role.HEALTH_OFFICER: _AREA_READ
    | {
        Perm.ELDERS_VIEW,
        Perm.ELDERS_EXPORT,
        Perm.ORGS_CHANGE,
        Perm.ASSESSMENTS_VIEW,
        Perm.ASSESSMENTS_REVIEW,
        Perm.ALERTS_VIEW,
        Perm.MONITORING_RULES_VIEW,
    },
    Role.STREET_STAFF: _AREA_READ
    | _ASSESS
    | _DEVICES
    | _ALERTS_HANDLE
    | _MONITORING_PROFILES
    | _BENEFITS_APPLY
    | {Perm.BENEFITS_REVIEW}
    | {Perm.ELDERS_VIEW, Perm.ELDERS_CREATE, Perm.ELDERS_CHANGE, Perm.ELDERS_IMPORT, Perm.ELDERS_EXPORT},
    Role.CARE_CENTRE_STAFF: _AREA_READ
    | _ASSESS
    | _DEVICES
    | _ALERTS_HANDLE
    | _MONITORING_PROFILES
    | {Perm.ELDERS_VIEW, Perm.ELDERS_CHANGE, Perm.ELDERS_EXPORT},
    Role.STATION_STAFF: _AREA_READ
    | _ASSESS
    | _DEVICES
    | _ALERTS_HANDLE
    | _MONITORING_PROFILES
    | {Perm.ELDERS_VIEW, Perm.ELDERS_CREATE, Perm.ELDERS_CHANGE, Perm.ELDERS_EXPORT},
    Role.INSTITUTION_STAFF: _AREA_READ
    | _ASSESS
    | _BENEFITS_APPLY
    | {Perm.ELDERS_VIEW, Perm.ELDERS_CHANGE, Perm.BEDS_MANAGE, Perm.ELDERS_EXPORT, Perm.DEVICES_VIEW},
    Role.MEDICAL_STAFF: _AREA_READ
    | _ASSESS
    | _MONITORING_PROFILES
    | {Perm.ELDERS_VIEW, Perm.ASSESSMENTS_REVIEW, Perm.ALERTS_VIEW},
    # Helpers and family see the assessments of their own elders (family: confirmed results only).
    # Helpers and family also see the live status of their own elders' devices.
    # Helpers handle their elders' alerts; family see their own elder's alerts.
    Role.HELPER: frozenset({Perm.ELDERS_VIEW, Perm.ASSESSMENTS_VIEW, Perm.DEVICES_VIEW}) | _ALERTS_HANDLE,
    # Family may apply for their own elder's resident subsidy and follow it.
    Role.FAMILY: frozenset({Perm.ELDERS_VIEW, Perm.ASSESSMENTS_VIEW, Perm.DEVICES_VIEW, Perm.ALERTS_VIEW})
    | _BENEFITS_APPLY,
}


def default_permissions(role: str) -> list[str]:
    return sorted(str(p) for p in ROLE_DEFAULT_PERMISSIONS.get(role, frozenset()))
