"""The printable assessment report (PDF) for the elder's family.

Chinese is drawn with a TrueType font that is embedded (as a subset) in the file, so the report
looks the same on every reader, including those without Chinese fonts, and prints as it was
signed. The font is `settings.YIYANG_PDF_FONT` (a .ttf or .ttc with TrueType outlines; the
subfont `YIYANG_PDF_FONT_INDEX` of a collection), by default the first of `DEFAULT_FONT_FILES`
that exists (Debian: `fonts-wqy-microhei` or `fonts-wqy-zenhei`). Noto CJK (.ttc/.otf) has
PostScript outlines, which reportlab cannot embed. The report shows the national ID masked only;
the full number never enters the file.
"""

import io
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yiyang.accounts.disclosure import LEAVES_SYSTEM
from yiyang.accounts.selectors import signed_label
from yiyang.assessments.choices import AssessmentReason, AssessmentStatus
from yiyang.assessments.models import Assessment
from yiyang.assessments.presentation import explanation_shown, result_groups, scale_title
from yiyang.elders.selectors import age_on

FONT = "YiyangReportCJK"
DEFAULT_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class ReportFontMissing(RuntimeError):
    """No usable font for the PDF reports: the configured file is missing or cannot be embedded."""


def report_font_file() -> tuple[Path, int]:
    """The font file (and subfont index) reports embed: the setting when set, else the first default
    that exists. Raises ReportFontMissing saying what to install or set when there is none."""
    configured = getattr(settings, "YIYANG_PDF_FONT", "") or ""
    index = int(getattr(settings, "YIYANG_PDF_FONT_INDEX", 0) or 0)
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise ReportFontMissing(
                f"YIYANG_PDF_FONT={configured} does not exist: set it to a TrueType font with Chinese glyphs"
            )
        return path, index
    for candidate in DEFAULT_FONT_FILES:
        if Path(candidate).is_file():
            return Path(candidate), index
    raise ReportFontMissing(
        "No Chinese TrueType font for PDF reports: install fonts-wqy-microhei (apt-get install "
        "fonts-wqy-microhei) or set YIYANG_PDF_FONT to a .ttf/.ttc with Chinese glyphs "
        f"(looked for {', '.join(DEFAULT_FONT_FILES)})"
    )


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        path, index = report_font_file()
        try:
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=index))
        except TTFError as exc:
            raise ReportFontMissing(f"{path} cannot be embedded in a PDF ({exc}): use a TrueType-outline font") from exc
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9.5, alignment=1, textColor=colors.grey),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12.5, leading=18, spaceBefore=10, spaceAfter=4),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
        "warn": ParagraphStyle("warn", parent=base, textColor=colors.HexColor("#8a4b00")),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=12, textColor=colors.grey),
    }


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _grid(rows: list[list[Any]], widths: list[float], styles: dict[str, ParagraphStyle]) -> Table:
    table = Table([[_p(cell, styles["cell"]) for cell in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),  # the cells' own default is Helvetica, never embedded
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                *([("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f2f2f2"))] if len(widths) == 4 else []),
            ]
        )
    )
    return table


def assessment_report_pdf(assessment: Assessment, *, generated_on: date, compress: bool = True) -> bytes:
    """The report as PDF bytes: who, when, by whom, the result with every explanation step, and the
    unverified values it depends on. Needs a record with a result (submitted or confirmed)."""
    styles = _styles()
    result: dict[str, Any] = assessment.result or {}
    elder = assessment.elder
    status = AssessmentStatus(assessment.status)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("老年人能力评估报告"),
        author=_("医养结合服务平台"),
        pageCompression=1 if compress else 0,
        initialFontName=styles["body"].fontName,  # else every page declares Helvetica, not embedded
    )
    story: list[Any] = [
        _p(_("老年人能力评估报告"), styles["title"]),
        _p(scale_title(assessment.scale), styles["subtitle"]),
        Spacer(1, 6 * mm),
    ]
    if status != AssessmentStatus.CONFIRMED:
        story.append(
            _p(
                _("本报告对应的评估尚未确认（当前状态：%(status)s），结果仅供参考。") % {"status": status.label},
                styles["warn"],
            )
        )
        story.append(Spacer(1, 3 * mm))
    half = (A4[0] - 36 * mm) / 2
    widths = [half * 0.38, half * 0.62, half * 0.38, half * 0.62]
    # The report is printed and handed out, beyond the audit's reach: identifiers stay masked
    # whoever downloads it.
    story += [
        _p(_("基本信息"), styles["h2"]),
        _grid(
            [
                [
                    _("姓名"),
                    LEAVES_SYSTEM.name(elder.name),
                    _("身份证号"),
                    LEAVES_SYSTEM.national_id(elder.national_id),
                ],
                [
                    _("性别"),
                    elder.get_sex_display(),
                    _("年龄"),
                    _("%(age)s 岁") % {"age": age_on(elder.birth_date, assessment.assessed_on)},
                ],
                [
                    _("评估日期"),
                    assessment.assessed_on.isoformat(),
                    _("评估原因"),
                    str(AssessmentReason(assessment.reason).label),
                ],
                [
                    _("确认时间"),
                    f"{assessment.confirmed_at:%Y-%m-%d}" if assessment.confirmed_at else "—",
                    _("有效期至"),
                    assessment.valid_until.isoformat() if assessment.valid_until else "—",
                ],
            ],
            widths,
            styles,
        ),
        _grid(
            [
                [_("评估员"), signed_label(assessment.assessor_snapshot, assessment.assessor)],
                [_("审核人"), signed_label(assessment.reviewer_snapshot, assessment.reviewer) or "—"],
            ],
            [widths[0], sum(widths[1:])],
            styles,
        ),
        _p(_("评估结果"), styles["h2"]),
    ]
    rows = [[_("等级"), _("%(name)s（%(code)s）") % {"name": assessment.level_label, "code": assessment.level_code}]]
    if assessment.total is not None:
        rows.append([_("总分"), str(assessment.total)])
    for group in result_groups(assessment.scale, result):
        if group.total is None:
            continue
        grade_text = pgettext("separator between clauses", "，") + group.level_name if group.level_name else ""
        rows.append([group.name, _("%(total)s/%(max)s 分") % {"total": group.total, "max": group.max} + grade_text])
    story.append(
        Table(
            [[_p(a, styles["cell"]), _p(b, styles["cell"])] for a, b in rows],
            colWidths=[half * 0.5, half * 1.5],
            style=TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT),  # the cells' own default is Helvetica, never embedded
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                ]
            ),
        )
    )
    explanation = explanation_shown(assessment)
    story.append(_p(_("结果说明"), styles["h2"]))
    for index, step in enumerate(explanation.steps if explanation else [], start=1):
        story.append(_p(f"{index}. {step.get('text', '')}", styles["body"]))
    unverified: list[str] = explanation.unverified if explanation else []
    if unverified:
        story.append(_p(_("尚未核实的依据"), styles["h2"]))
        story.append(_p(_("本结果所依据的以下数值或规则尚未对照正式文本核实，可能在核实后调整："), styles["warn"]))
        for sentence in unverified:
            story.append(_p(f"· {sentence}", styles["warn"]))
    if assessment.supersedes_id is not None and assessment.supersedes is not None:
        story.append(Spacer(1, 3 * mm))
        story.append(
            _p(
                _("本评估更正了 %(date)s 的评估记录。") % {"date": assessment.supersedes.assessed_on.isoformat()},
                styles["small"],
            )
        )
    story += [
        Spacer(1, 8 * mm),
        _p(
            _("报告生成日期：%(date)s　记录编号：%(id)s　量表数据版本：%(version)s")
            % {"date": generated_on.isoformat(), "id": assessment.public_id, "version": assessment.scale_version},
            styles["small"],
        ),
        _p(_("本报告由医养结合服务平台生成。身份证号已做脱敏处理。"), styles["small"]),
    ]
    doc.build(story)
    return buffer.getvalue()
