"""Stored audit summaries put into the reader's language, without rewriting the log.

An event's `summary` is written once, in Chinese, and is part of the hash chain: it is never changed.
To show it in another language it is read back: a fixed summary is its own msgid (listed below with
gettext_noop so makemessages extracts it), a summary with values in it is matched by a pattern whose
named groups are put into the translated sentence. Values (usernames, bed labels, area names) stay as
stored. A summary that matches nothing (an older wording, a free text) is shown as stored.

A service that writes a new summary adds its wording here, so that English readers see it in English.
"""

import re

from django.utils.translation import gettext, gettext_noop

FIXED = frozenset(
    {
        gettext_noop("查看详情"),
        gettext_noop("登录成功"),
        gettext_noop("退出登录"),
        gettext_noop("二次验证码错误"),
        gettext_noop("查看120交接单"),
        gettext_noop("查看告警处置记录"),
        gettext_noop("查看老年人档案"),
        gettext_noop("老年人档案中显示的记录"),
        gettext_noop("查看老年人档案（含完整身份证号和电话）"),
        gettext_noop("登记老年人档案"),
        gettext_noop("修改老年人档案"),
        gettext_noop("登记老年人状况变更"),
        gettext_noop("新增紧急联系人"),
        gettext_noop("删除紧急联系人"),
        gettext_noop("查看老年人监测设置"),
        gettext_noop("修改老年人监测设置"),
        gettext_noop("新建能力评估草稿"),
        gettext_noop("修改能力评估草稿"),
        gettext_noop("提交能力评估待审核"),
        gettext_noop("确认能力评估结果"),
        gettext_noop("退回能力评估"),
        gettext_noop("查看能力评估"),
        gettext_noop("查看能力评估（含完整身份证号）"),
        gettext_noop("导出能力评估报告（PDF，身份证号脱敏）"),
        gettext_noop("登记机构"),
        gettext_noop("修改机构信息"),
        gettext_noop("修改设备"),
        gettext_noop("忽略未登记设备"),
        gettext_noop("提交补贴申请"),
        gettext_noop("上传补贴申请附件"),
        gettext_noop("下载补贴申请附件"),
        gettext_noop("街道审核通过补贴申请"),
        gettext_noop("街道审核不予通过补贴申请"),
        gettext_noop("区级审批通过补贴申请"),
        gettext_noop("区级审批不予通过补贴申请"),
        gettext_noop("撤回补贴申请"),
        gettext_noop("核定补贴待遇"),
        gettext_noop("计算月度发放表"),
        gettext_noop("锁定月度发放表"),
        gettext_noop("设置年度预算"),
    }
)

# (pattern over the stored Chinese, msgid with the pattern's groups as placeholders)
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (r"^查看列表（(?P<count>\d+)条）$", gettext_noop("查看列表（%(count)s条）")),
        (r"^拒绝访问（(?P<status>\d+)）：(?P<view>.*)$", gettext_noop("拒绝访问（%(status)s）：%(view)s")),
        (
            r"^未找到或无权访问（(?P<status>\d+)）：(?P<view>.*)$",
            gettext_noop("未找到或无权访问（%(status)s）：%(view)s"),
        ),
        (
            r"^登录失败：用户名“(?P<username>.*)”（无此账号）$",
            gettext_noop("登录失败：用户名“%(username)s”（无此账号）"),
        ),
        (r"^登录失败：用户名“(?P<username>.*)”$", gettext_noop("登录失败：用户名“%(username)s”")),
        (
            r"^账号锁定：用户名“(?P<username>.*)”；该用户名连续登录失败次数过多$",
            gettext_noop("账号锁定：用户名“%(username)s”；该用户名连续登录失败次数过多"),
        ),
        (
            r"^账号锁定：用户名“(?P<username>.*)”；该来源地址登录失败次数过多$",
            gettext_noop("账号锁定：用户名“%(username)s”；该来源地址登录失败次数过多"),
        ),
        (r"^账号锁定：用户名“(?P<username>.*)”$", gettext_noop("账号锁定：用户名“%(username)s”")),
        (r"^解除锁定：(?P<username>.*)$", gettext_noop("解除锁定：%(username)s")),
        (r"^重置二次验证：(?P<username>.*)$", gettext_noop("重置二次验证：%(username)s")),
        (r"^修改密码：(?P<username>.*)（本人）$", gettext_noop("修改密码：%(username)s（本人）")),
        (r"^修改密码：(?P<username>.*)（(?P<by>[^（）]*)）$", gettext_noop("修改密码：%(username)s（由 %(by)s）")),
        (
            r"^更正能力评估（被更正记录 (?P<original>\S+)）$",
            gettext_noop("更正能力评估（被更正记录 %(original)s）"),
        ),
        (r"^新增床位 (?P<bed>.*)$", gettext_noop("新增床位 %(bed)s")),
        (r"^终止补贴待遇：(?P<reason>.*)$", gettext_noop("终止补贴待遇：%(reason)s")),
        (r"^查看发放明细（(?P<count>\d+)条）$", gettext_noop("查看发放明细（%(count)s条）")),
        (r"^查看补贴预算台账（(?P<year>\d+)年）$", gettext_noop("查看补贴预算台账（%(year)s年）")),
        (
            r"^导出银行代发文件（(?P<count>\d+)笔，合计(?P<total>[-\d.]+)元）$",
            gettext_noop("导出银行代发文件（%(count)s笔，合计%(total)s元）"),
        ),
        (
            r"^导出月度发放表（Excel，(?P<count>\d+)笔，净额(?P<total>[-\d.]+)元）$",
            gettext_noop("导出月度发放表（Excel，%(count)s笔，净额%(total)s元）"),
        ),
        (r"^办理入住：床位 (?P<bed>.*)$", gettext_noop("办理入住：床位 %(bed)s")),
        (r"^办理离院：床位 (?P<bed>.*)$", gettext_noop("办理离院：床位 %(bed)s")),
        (r"^登记设备 (?P<kind>.*)$", gettext_noop("登记设备 %(kind)s")),
        (r"^解绑设备 (?P<device>.*)$", gettext_noop("解绑设备 %(device)s")),
        (
            r"^绑定设备 (?P<device>\S+) 至老年人 (?P<elder>\S+)$",
            gettext_noop("绑定设备 %(device)s 至老年人 %(elder)s"),
        ),
        (r"^导入老年人花名册：新增(?P<count>\d+)人$", gettext_noop("导入老年人花名册：新增%(count)s人")),
        (r"^修改告警升级策略：(?P<severity>.*)$", gettext_noop("修改告警升级策略：%(severity)s")),
        (
            r"^修改辖区监测规则（(?P<district>.*)，第(?P<version>\d+)版）$",
            gettext_noop("修改辖区监测规则（%(district)s，第%(version)s版）"),
        ),
        (r"^响应告警（(?P<seconds>\d+)秒）$", gettext_noop("响应告警（%(seconds)s秒）")),
        (r"^到场（(?P<seconds>\d+)秒）$", gettext_noop("到场（%(seconds)s秒）")),
        (r"^派遣：(?P<label>.*)$", gettext_noop("派遣：%(label)s")),
        (r"^关闭告警：(?P<label>.*)$", gettext_noop("关闭告警：%(label)s")),
        (r"^创建账号（(?P<label>[^（）]*)）$", gettext_noop("创建账号（%(label)s）")),
        (r"^床位 (?P<bed>\S+) 状态改为(?P<label>.*)$", gettext_noop("床位 %(bed)s 状态改为%(label)s")),
        (
            r"^导入评估政策数据（(?P<scale>[^，]*)，(?P<date>[\d-]+)起生效）$",
            gettext_noop("导入评估政策数据（%(scale)s，%(date)s起生效）"),
        ),
    )
)


def summary_shown(summary: str) -> str:
    """`summary` in the active language where its wording is known (values in it kept as stored),
    else exactly as stored. A value captured as `label` is a choice label written in Chinese (a close
    code, a dispatch target, a role, a bed state): it is its own msgid, so it is translated too. The
    stored text itself is never changed."""
    if summary in FIXED:
        return gettext(summary)
    for pattern, msgid in PATTERNS:
        if match := pattern.match(summary):
            if gettext(msgid) == msgid:  # not translated (Chinese): the stored words exactly
                return summary
            values = match.groupdict()
            if "label" in values:
                values["label"] = gettext(values["label"])
            return gettext(msgid) % values
    return summary
