"""Who may read or act on a district's payroll runs and budgets.

A payroll run pays every payee of a whole district, so it is district work: the runs, their lines,
the budgets and the ledger are read by accounts placed at the district (or a superuser) holding
`benefits.view`; computing, locking, exporting and setting budgets need `benefits.payroll`. Street,
community, organisation and personal accounts see none of it (their own applications and
entitlements are on the applications pages). A run of another district, or an unknown id, is one
and the same "not found".
"""

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, require_perm, scope_for
from yiyang.accounts.permissions import Perm
from yiyang.areas.choices import AreaLevel
from yiyang.areas.models import Area
from yiyang.benefits.models import PayrollRun
from yiyang.core.errors import Forbidden, NotFound, ValidationFailed


class PayrollRunNotFound(NotFound):
    title = gettext_lazy("月度发放表不存在")


class DistrictNotFound(NotFound):
    title = gettext_lazy("区不存在")


def payroll_districts_in_reach(*, user: AnyUser) -> QuerySet[Area]:
    """The districts whose payroll and budget the account may read (none without `benefits.view`)."""
    if not has_perm(user, Perm.BENEFITS_VIEW):
        return Area.objects.none()
    scope = scope_for(user)
    if scope.kind is ScopeKind.ALL:
        return Area.objects.filter(level=AreaLevel.DISTRICT).order_by("code")
    if scope.kind is ScopeKind.DISTRICT and scope.area_id is not None:
        return Area.objects.filter(pk=scope.area_id)
    return Area.objects.none()


def require_payroll_reader(user: AnyUser) -> None:
    """Forbidden unless the account holds `benefits.view` and is placed at a district (or is a
    superuser): the reason names the missing right, or says the payroll is district work."""
    require_perm(user, Perm.BENEFITS_VIEW)
    if scope_for(user).kind not in (ScopeKind.ALL, ScopeKind.DISTRICT):
        raise Forbidden(_("月度发放表、预算和台账只对区级账号开放"))


def payroll_runs_in_reach(*, user: AnyUser) -> QuerySet[PayrollRun]:
    """Runs of the districts in reach (see `payroll_districts_in_reach`)."""
    return PayrollRun.objects.filter(district__in=payroll_districts_in_reach(user=user))


def access_payroll_run_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.BENEFITS_VIEW
) -> PayrollRun:
    """The run if the account may read it, else PayrollRunNotFound (missing and out of reach alike);
    Forbidden if it may read it but does not hold `perm`."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise PayrollRunNotFound from None
    run = (
        payroll_runs_in_reach(user=user)
        .select_related("district", "computed_by", "locked_by")
        .filter(public_id=key)
        .first()
    )
    if run is None:
        raise PayrollRunNotFound
    if perm is not Perm.BENEFITS_VIEW:
        require_perm(user, perm)
    return run


def access_district_by_public_id(*, user: AnyUser, public_id: UUID | str | None, field: str = "district") -> Area:
    """The district named (or, when none is named, the only district in reach), if the account may
    read its payroll; else DistrictNotFound. An account with several districts (or none) that names
    none gets ValidationFailed on `field` ("required")."""
    districts = payroll_districts_in_reach(user=user)
    if public_id in (None, ""):
        only = list(districts[:2])
        if len(only) == 1:
            return only[0]
        raise ValidationFailed.single(field, _("请选择区"), "required")
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise DistrictNotFound from None
    district = districts.filter(public_id=key).first()
    if district is None:
        raise DistrictNotFound
    return district
