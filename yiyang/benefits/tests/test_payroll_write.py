"""Lines are written as they were drafted, whatever their text holds (COPY on PostgreSQL)."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from yiyang.benefits.choices import LineKind
from yiyang.benefits.models import PayrollLine, PayrollRun
from yiyang.benefits.services.payroll import Line, _write_lines, _yuan_text
from yiyang.benefits.tests.payroll_world import RESIDENT, entitlement
from yiyang.core.testing import build_world

pytestmark = pytest.mark.django_db


def test_lines_keep_tabs_backslashes_newlines_quotes_and_shared_explanations():
    world = build_world()
    granted = entitlement(world, RESIDENT, elder=world.elders["resident0"], starts_on=date(2026, 1, 1))
    run = PayrollRun.objects.create(
        district=world.district, month=date(2026, 11, 1), computed_at=timezone.now(), computed_by=world.users["bureau"]
    )
    shared = {"rule": 'a "quoted"\tword\\ and\nnewline', "days": 30, "note": "中文"}
    drafted = [
        Line(granted.pk, RESIDENT, LineKind.REGULAR, date(2026, 11, 1), 90000, "张\t三\\", "工行\n厦门", shared),
        Line(granted.pk, RESIDENT, LineKind.RECOVERY, date(2026, 10, 1), -1205, "李四", "农行", shared),
        Line(granted.pk, RESIDENT, LineKind.ARREARS, date(2026, 9, 1), 7, "王五", "建行", {"rule": "\r"}),
    ]
    _write_lines(run, drafted)
    written = list(
        PayrollLine.objects.filter(run=run)
        .order_by("id")
        .values_list("kind", "for_month", "amount", "payee_name", "payee_bank", "explanation", "instalment_id")
    )
    assert written == [
        (LineKind.REGULAR, date(2026, 11, 1), Decimal("900.00"), "张\t三\\", "工行\n厦门", shared, None),
        (LineKind.RECOVERY, date(2026, 10, 1), Decimal("-12.05"), "李四", "农行", shared, None),
        (LineKind.ARREARS, date(2026, 9, 1), Decimal("0.07"), "王五", "建行", {"rule": "\r"}, None),
    ]


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (7, "0.07"), (-7, "-0.07"), (90000, "900.00"), (-120505, "-1205.05")]
)
def test_yuan_text_matches_rules_yuan(fen, text):
    from yiyang.benefits.rules import yuan

    assert _yuan_text(fen) == text == str(yuan(fen))
