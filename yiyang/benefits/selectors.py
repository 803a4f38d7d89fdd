"""Reads of the benefits domain. Other apps' rows are read through their selectors only."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.access import access_area_filter
from yiyang.areas.choices import AreaLevel
from yiyang.benefits.choices import ApplicationStatus, EntitlementStatus, Scheme
from yiyang.benefits.models import Application, Attachment, Entitlement, Instalment, PolicyFile
from yiyang.benefits.policy import DatedValue, Override, Policy
from yiyang.core.errors import ErrorCollector
from yiyang.elders.selectors import elders_in_reach


def _override(policy_file: PolicyFile) -> Override:
    values = {
        path: tuple(
            DatedValue(
                start=date.fromisoformat(v["start"]),
                value=Decimal(v["value"]),
                status=v["status"],
                source=f"district:{policy_file.version}",
                reference=tuple((str(r[0]), str(r[1])) for r in v.get("reference", [])),
            )
            for v in dated
        )
        for path, dated in policy_file.parameters.items()
    }
    return Override(version=policy_file.version, values=values)


def district_policy(*, district_id: int) -> Policy:
    """The parameters in force for a district: shipped values merged with every file it loaded."""
    files = PolicyFile.objects.filter(district_id=district_id).order_by("version")
    return Policy.for_district(_override(f) for f in files)


# --- applications and entitlements -----------------------------------------------------------------


def _reach_q(user: AnyUser) -> Q | None:
    """Rows (applications, entitlements: both carry district, street, elder and organisation) the
    account may see; None for nothing. Area accounts: their district, street or community;
    institution and medical accounts: rows of their organisation or of an elder in their reach (a
    resident); helpers and family: rows of an elder in their reach (the linked elders)."""
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return Q()
    if scope.kind is ScopeKind.DISTRICT or scope.kind is ScopeKind.STREET:
        return scope.area_q()
    if scope.kind is ScopeKind.COMMUNITY:
        return Q(elder__community_id=scope.area_id) | Q(organisation__area_id=scope.area_id)
    elders = elders_in_reach(user=user).values("pk")
    if scope.kind is ScopeKind.ORGANISATION:
        return Q(organisation_id=scope.organisation_id) | Q(elder_id__in=elders)
    if scope.kind in (ScopeKind.HELPER, ScopeKind.FAMILY):
        return Q(elder_id__in=elders)
    return None


_APPLICATION_RELATED = ("district", "street", "elder", "organisation", "applicant")


def applications_in_reach(*, user: AnyUser) -> QuerySet[Application]:
    """Applications the account may see; none without `benefits.view`."""
    if not has_perm(user, Perm.BENEFITS_VIEW):
        return Application.objects.none()
    reach = _reach_q(user)
    if reach is None:
        return Application.objects.none()
    return Application.objects.filter(reach)


def application_get(*, public_id: UUID) -> Application | None:
    """One application with its places, subject and people loaded, or None. No scope check."""
    return (
        Application.objects.select_related(
            *_APPLICATION_RELATED,
            "applicant__organisation",
            "applicant__area",
            "street_reviewer",
            "street_reviewer__organisation",
            "street_reviewer__area",
            "decided_by",
            "decided_by__organisation",
            "decided_by__area",
        )
        .filter(public_id=public_id)
        .first()
    )


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    scheme: str = ""
    street: UUID | None = None
    # The subject's name (elder, organisation or worker) anywhere in it.
    search: str = ""


def _search_q(text: str) -> Q:
    text = text.strip()
    if not text:
        return Q()
    return Q(elder__name__icontains=text) | Q(organisation__name__icontains=text) | Q(worker_name__icontains=text)


def application_list(*, user: AnyUser, filters: ApplicationFilters | None = None) -> QuerySet[Application]:
    """Applications in reach matching the filters, newest submission first. A street outside the
    reach (or unknown) raises AreaNotFound naming it; an unknown status or scheme ValidationFailed."""
    filters = filters or ApplicationFilters()
    qs = applications_in_reach(user=user)
    errors = ErrorCollector()
    if filters.status and filters.status not in ApplicationStatus.values:
        errors.add("status", str(_("未知的申请状态")), "invalid_choice")
    if filters.scheme and filters.scheme not in Scheme.values:
        errors.add("scheme", str(_("未知的补贴项目")), "invalid_choice")
    errors.raise_if_any()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scheme:
        qs = qs.filter(scheme=filters.scheme)
    if filters.street:
        street = access_area_filter(user=user, public_id=filters.street, field="street", level=AreaLevel.STREET)
        qs = qs.filter(street_id=street.pk)
    if filters.search:
        qs = qs.filter(_search_q(filters.search))
    return qs.select_related(*_APPLICATION_RELATED).order_by("-submitted_at", "-id")


def street_review_queue(*, user: AnyUser) -> QuerySet[Application]:
    """Submitted applications in reach waiting for the street review, oldest first; none without
    `benefits.review`. The account's own applications are left out: nobody reviews their own."""
    if not has_perm(user, Perm.BENEFITS_REVIEW):
        return Application.objects.none()
    return (
        applications_in_reach(user=user)
        .filter(status=ApplicationStatus.SUBMITTED)
        .exclude(applicant_id=user.pk)
        .select_related(*_APPLICATION_RELATED)
        .order_by("submitted_at", "id")
    )


def district_decision_queue(*, user: AnyUser) -> QuerySet[Application]:
    """Street-approved applications in reach waiting for the district decision, oldest first; none
    without `benefits.approve`. The account's own applications are left out."""
    if not has_perm(user, Perm.BENEFITS_APPROVE):
        return Application.objects.none()
    return (
        applications_in_reach(user=user)
        .filter(status=ApplicationStatus.STREET_APPROVED)
        .exclude(applicant_id=user.pk)
        .select_related(*_APPLICATION_RELATED)
        .order_by("street_reviewed_at", "id")
    )


def application_attachments(*, application: Application) -> QuerySet[Attachment]:
    """The application's attachments without their content, in upload order."""
    return (
        Attachment.objects.filter(application=application).defer("content").select_related("uploaded_by").order_by("id")
    )


_ENTITLEMENT_RELATED = ("district", "street", "elder", "organisation", "application")


def entitlements_in_reach(*, user: AnyUser) -> QuerySet[Entitlement]:
    """Entitlements the account may see; none without `benefits.view`."""
    if not has_perm(user, Perm.BENEFITS_VIEW):
        return Entitlement.objects.none()
    reach = _reach_q(user)
    if reach is None:
        return Entitlement.objects.none()
    return Entitlement.objects.filter(reach)


def entitlement_get(*, public_id: UUID) -> Entitlement | None:
    """One entitlement with its places, subject and application loaded, or None. No scope check."""
    return Entitlement.objects.select_related(*_ENTITLEMENT_RELATED).filter(public_id=public_id).first()


@dataclass(frozen=True)
class EntitlementFilters:
    status: str = ""
    scheme: str = ""
    street: UUID | None = None
    search: str = ""


def entitlement_list(*, user: AnyUser, filters: EntitlementFilters | None = None) -> QuerySet[Entitlement]:
    """Entitlements in reach matching the filters, latest start first."""
    filters = filters or EntitlementFilters()
    qs = entitlements_in_reach(user=user)
    errors = ErrorCollector()
    if filters.status and filters.status not in EntitlementStatus.values:
        errors.add("status", str(_("未知的待遇状态")), "invalid_choice")
    if filters.scheme and filters.scheme not in Scheme.values:
        errors.add("scheme", str(_("未知的补贴项目")), "invalid_choice")
    errors.raise_if_any()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scheme:
        qs = qs.filter(scheme=filters.scheme)
    if filters.street:
        street = access_area_filter(user=user, public_id=filters.street, field="street", level=AreaLevel.STREET)
        qs = qs.filter(street_id=street.pk)
    if filters.search:
        qs = qs.filter(_search_q(filters.search))
    return qs.select_related(*_ENTITLEMENT_RELATED).order_by("-starts_on", "-id")


def entitlement_instalments(*, entitlement: Entitlement) -> QuerySet[Instalment]:
    return Instalment.objects.filter(entitlement=entitlement).order_by("sequence")


def _subject_q(elder_id: int | None, organisation_id: int | None) -> Q:
    return Q(elder_id=elder_id) if elder_id is not None else Q(organisation_id=organisation_id)


def active_entitlement_exists(*, scheme: str, elder_id: int | None = None, organisation_id: int | None = None) -> bool:
    """Whether an active entitlement of `scheme` exists for the elder (or the organisation)."""
    qs = Entitlement.objects.filter(scheme=scheme, status=EntitlementStatus.ACTIVE)
    return qs.filter(_subject_q(elder_id, organisation_id)).exists()


def pending_application_exists(*, scheme: str, elder_id: int | None = None, organisation_id: int | None = None) -> bool:
    """Whether an application of `scheme` for the elder (or organisation) waits for a decision."""
    qs = Application.objects.filter(
        scheme=scheme, status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.STREET_APPROVED)
    )
    return qs.filter(_subject_q(elder_id, organisation_id)).exists()
