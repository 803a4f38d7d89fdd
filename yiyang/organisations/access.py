from uuid import UUID

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.organisations.errors import AdmissionNotFound, BedNotFound, OrganisationNotFound
from yiyang.organisations.models import Admission, Bed, Organisation
from yiyang.organisations.selectors import (
    admissions_in_reach,
    beds_in_reach,
    organisation_get,
    organisations_in_reach,
)


def _uuid(public_id: UUID | str) -> UUID | None:
    try:
        return UUID(str(public_id))
    except ValueError:
        return None


def access_organisation_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ORGS_VIEW
) -> Organisation:
    """Return the organisation (with bed counts) if the account may see it, else
    OrganisationNotFound; Forbidden if it may see but not perform `perm`. Missing and out-of-reach
    records give the same answer."""
    key = _uuid(public_id)
    if key is None or not organisations_in_reach(user=user).filter(public_id=key).exists():
        raise OrganisationNotFound
    organisation = organisation_get(public_id=key)
    if organisation is None:
        raise OrganisationNotFound
    if perm is not Perm.ORGS_VIEW:
        require_perm(user, perm)
    return organisation


def access_bed_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ORGS_VIEW) -> Bed:
    """Return the bed if its organisation is in reach, else BedNotFound; Forbidden when `perm` is missing."""
    key = _uuid(public_id)
    bed = None if key is None else beds_in_reach(user=user).select_related("organisation").filter(public_id=key).first()
    if bed is None:
        raise BedNotFound
    if perm is not Perm.ORGS_VIEW:
        require_perm(user, perm)
    return bed


def access_admission_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ORGS_VIEW) -> Admission:
    """Return the stay if it is in reach (its organisation in reach and the account holds
    `elders.view`), else AdmissionNotFound; Forbidden when `perm` is missing."""
    key = _uuid(public_id)
    admission = (
        None
        if key is None
        else admissions_in_reach(user=user).select_related("elder", "organisation", "bed").filter(public_id=key).first()
    )
    if admission is None:
        raise AdmissionNotFound
    if perm is not Perm.ORGS_VIEW:
        require_perm(user, perm)
    return admission
