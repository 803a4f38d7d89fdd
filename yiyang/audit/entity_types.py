"""Readable names for the `entity_type` values stored on audit events.

An event stores its entity type as a short machine word (`home_member`, `alert_handoff`): that value is
part of the hash chain, is what the export and the API carry, and is what auditors filter by. Pages show
the name below in the reader's language, with the stored value beside it. A type not listed here (an
older or a test value) is shown as stored.

A service or page that records a new entity type adds it here; a test scans the source for the values
written and fails on one without a name.
"""

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ENTITY_TYPE_LABELS: Mapping[str, Promise] = {
    "account": pgettext_lazy("audit entity type", "账号"),
    "admission": pgettext_lazy("audit entity type", "入住记录"),
    "alert": pgettext_lazy("audit entity type", "告警"),
    "alert_handoff": pgettext_lazy("audit entity type", "120交接单"),
    "assessment": pgettext_lazy("audit entity type", "能力评估"),
    "audit_event": pgettext_lazy("audit entity type", "审计日志"),
    "bed": pgettext_lazy("audit entity type", "床位"),
    "benefit_application": pgettext_lazy("audit entity type", "补贴申请"),
    "benefit_attachment": pgettext_lazy("audit entity type", "补贴申请附件"),
    "benefit_entitlement": pgettext_lazy("audit entity type", "补贴待遇"),
    "benefit_budget": pgettext_lazy("audit entity type", "补贴年度预算"),
    "benefit_policy_file": pgettext_lazy("audit entity type", "区级补贴政策文件"),
    "benefit_what_if": pgettext_lazy("audit entity type", "补贴政策试算"),
    "demo_seed": pgettext_lazy("audit entity type", "演示数据"),
    "device": pgettext_lazy("audit entity type", "设备"),
    "device_binding": pgettext_lazy("audit entity type", "设备绑定"),
    "district_rules": pgettext_lazy("audit entity type", "辖区监测规则"),
    "elder": pgettext_lazy("audit entity type", "老年人档案"),
    "elder_fact_change": pgettext_lazy("audit entity type", "老年人状况变更"),
    "emergency_contact": pgettext_lazy("audit entity type", "紧急联系人"),
    "escalation_policy": pgettext_lazy("audit entity type", "告警升级策略"),
    "helper_assignment": pgettext_lazy("audit entity type", "助老员指派"),
    "home": pgettext_lazy("audit entity type", "家庭"),
    "home_member": pgettext_lazy("audit entity type", "家庭成员"),
    "monitoring_profile": pgettext_lazy("audit entity type", "监测设置"),
    "organisation": pgettext_lazy("audit entity type", "机构"),
    "payroll_line": pgettext_lazy("audit entity type", "补贴发放明细"),
    "payroll_run": pgettext_lazy("audit entity type", "月度发放表"),
    "pending_device": pgettext_lazy("audit entity type", "待登记设备"),
    "policy_version": pgettext_lazy("audit entity type", "评估政策数据版本"),
    "request": pgettext_lazy("audit entity type", "被拒绝的请求"),
    "user": pgettext_lazy("audit entity type", "用户"),
}


def entity_type_label(entity_type: str) -> str:
    """The name of `entity_type` in the active language; a type without a name is returned as stored."""
    label = ENTITY_TYPE_LABELS.get(entity_type)
    return str(label) if label is not None else entity_type


def entity_type_choices() -> list[tuple[str, str]]:
    """Every named entity type as (stored value, name in the active language), ordered by the name."""
    return sorted(((value, str(label)) for value, label in ENTITY_TYPE_LABELS.items()), key=lambda c: c[1])
