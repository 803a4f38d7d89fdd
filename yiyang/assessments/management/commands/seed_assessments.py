"""`yiyang seed_assessments`: confirmed assessments for the demo district (run after `yiyang seed`)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from yiyang.accounts.access import ScopeKind, scope_for
from yiyang.accounts.models import User
from yiyang.areas.models import Area
from yiyang.assessments.choices import AssessmentReason, AssessmentStatus
from yiyang.assessments.models import Assessment
from yiyang.assessments.services import assessment_draft_create, assessment_submit
from yiyang.assessments.services.seeding import (
    ABILITY_SCALE,
    SeedError,
    assessment_seed_confirmed,
    first_of,
    seed_templates,
)
from yiyang.elders.models import Elder
from yiyang.elders.selectors import elders_in_reach

# Demo accounts of people who hold the assessor qualification, tried in this order for each elder
# (the first whose reach holds the elder assesses it; the district's assessor covers the other
# streets). Records are signed by people, never by an office's account (`yiyang seed` names them).
DEFAULT_ASSESSORS = ("assessor_huli", "doctor", "assessor_district")
DEFAULT_REVIEWER = "reviewer"


class Command(BaseCommand):
    help = (
        "为演示区的老年人生成已确认的能力评估（GB/T 42195 各等级与长期护理失能各等级均出现），"
        "并授予演示评估员账号评估员资格。重复运行不会重复生成。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--district", default="", help="区代码（默认：唯一的区）")
        parser.add_argument("--assessors", default=",".join(DEFAULT_ASSESSORS), help="评估员用户名，逗号分隔")
        parser.add_argument("--reviewer", default=DEFAULT_REVIEWER, help="审核人用户名")
        parser.add_argument("--limit", type=int, default=0, help="最多为多少名老年人生成（0 为全部）")
        parser.add_argument("--ltc-share", type=float, default=0.3, help="同时做长期护理失能评估的比例")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument(
            "--awaiting-review", type=int, default=6, help="由第一位评估员提交、等待审核的复评数量（默认 6）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        district = self._district(options["district"])
        usernames = [u.strip() for u in options["assessors"].split(",") if u.strip()]
        users = {u.username: u for u in User.objects.filter(username__in=[*usernames, options["reviewer"]])}
        missing = [name for name in [*usernames, options["reviewer"]] if name not in users]
        if missing:
            raise CommandError(f"找不到演示账号：{'、'.join(missing)}（请先运行 yiyang seed）")
        reviewer = users[options["reviewer"]]
        assessors = [users[name] for name in usernames]
        if reviewer in assessors:
            raise CommandError("审核人不能同时是评估员")
        User.objects.filter(pk__in=[a.pk for a in assessors], is_assessor=False).update(is_assessor=True)
        for account in assessors:
            account.is_assessor = True
        elders_qs = Elder.objects.filter(district=district).order_by("id")
        if options["limit"]:
            elders_qs = elders_qs[: options["limit"]]
        elders = list(elders_qs)
        reach = []
        for account in assessors:
            scope = scope_for(account)
            if scope.kind is ScopeKind.NONE:
                continue
            reach.append(
                (account, set(elders_in_reach(user=account).filter(district=district).values_list("pk", flat=True)))
            )
        covered = set().union(*(ids for _, ids in reach)) if reach else set()
        uncovered = [e for e in elders if e.pk not in covered]
        if uncovered:
            self.stdout.write(f"  {len(uncovered)} 名老年人不在任何评估员的辖区内，跳过")
            elders = [e for e in elders if e.pk in covered]
        try:
            summary = assessment_seed_confirmed(
                elders=elders,
                assessor_for=first_of(reach, fallback=assessors[-1]),
                reviewer=reviewer,
                today=timezone.localdate(),
                long_term_care_share=options["ltc_share"],
                seed=options["seed"],
            )
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已生成 {summary.created} 条已确认的评估（跳过已有记录 {summary.skipped} 名）")
        )
        for scale, counter in summary.levels.items():
            shown = "，".join(f"{level}级 {count}" for level, count in sorted(counter.items()))
            self.stdout.write(f"  {scale}：{shown or '无'}")
        if reach and options["awaiting_review"]:
            account, ids = reach[0]
            created = self._awaiting_review(account, ids, options["awaiting_review"])
            self.stdout.write(f"  待审核的复评：新增 {created} 条（评估员 {account.username}）")

    def _awaiting_review(self, assessor: User, elder_ids: set[int], wanted: int) -> int:
        """Reassessments `assessor` drafted and submitted through the services, so the reviewers' home
        cards and lists have work: up to `wanted` in all (a second run tops up, never doubles), for the
        elders in reach whose ability record lapses first and who have no unfinished record."""
        held = Assessment.objects.filter(assessor=assessor, status=AssessmentStatus.SUBMITTED).count()
        if held >= wanted:
            return 0
        unfinished = Assessment.objects.exclude(status=AssessmentStatus.CONFIRMED).values("elder_id")
        lapsing_first = (
            Assessment.objects.filter(elder_id__in=elder_ids, scale=ABILITY_SCALE, status=AssessmentStatus.CONFIRMED)
            .exclude(elder_id__in=unfinished)
            .order_by("valid_until", "id")
            .values_list("elder_id", flat=True)
        )
        candidates = list(dict.fromkeys(lapsing_first))[: wanted - held]
        templates = seed_templates()[ABILITY_SCALE]
        today = timezone.localdate()
        for n, elder in enumerate(Elder.objects.filter(pk__in=candidates).order_by("id")):
            draft = assessment_draft_create(
                actor=assessor,
                elder=elder,
                scale=ABILITY_SCALE,
                reason=AssessmentReason.REASSESSMENT,
                assessed_on=today,
                answers=templates[sorted(templates)[n % len(templates)]][0].answers,
            )
            assessment_submit(actor=assessor, assessment=draft)
        return len(candidates)

    def _district(self, code: str) -> Area:
        districts = Area.objects.filter(level="district")
        if code:
            districts = districts.filter(Q(code=code))
        found = list(districts[:2])
        if len(found) != 1:
            raise CommandError("请用 --district 指定区代码" if found else "没有找到区：请先运行 yiyang seed")
        return found[0]
