"""Stored audit summaries are read back in the reader's language; the stored text is never changed."""

import pytest
from django.utils import translation

from yiyang.audit.summaries import summary_shown


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        ("查看详情", "Viewed details"),
        ("登录成功", "Signed in"),
        ("查看120交接单", "Viewed the 120 hand-off sheet"),
        ("新建能力评估草稿", "Created an ability assessment draft"),
        ("查看列表（2条）", "Viewed a list (2 rows)"),
        ("拒绝访问（403）：elder-detail", "Access denied (403): elder-detail"),
        ("登录失败：用户名“张三”（无此账号）", "Sign-in failed: username “张三” (no such account)"),
        ("修改密码：street0（本人）", "Password changed: street0 (by themselves)"),
        ("修改密码：street0（admin）", "Password changed: street0 (by admin)"),
        ("关闭告警：误报（设备原因）", "Alert closed: False alarm (device)"),
        ("响应告警（42秒）", "Alert acknowledged (42 s)"),
        ("修改辖区监测规则（测试区，第3版）", "Changed the district monitoring rules (测试区, version 3)"),
    ],
)
def test_a_known_summary_is_shown_in_english_with_its_values_as_stored(stored: str, english: str) -> None:
    with translation.override("en"):
        assert summary_shown(stored) == english
    with translation.override("zh-hans"):
        assert summary_shown(stored) == stored


def test_an_unknown_summary_is_shown_as_stored() -> None:
    with translation.override("en"):
        assert summary_shown("某个旧版本写下的摘要") == "某个旧版本写下的摘要"
        assert summary_shown("") == ""
