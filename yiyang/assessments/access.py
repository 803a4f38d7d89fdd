"""Turning a public id into a record the account may touch. Missing and out-of-reach records give
the same answer (not found), so ids cannot be probed; a record in reach but an action not allowed is
Forbidden."""

from uuid import UUID

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.assessments.errors import AssessmentNotFound, PolicyVersionNotFound
from yiyang.assessments.models import Assessment, PolicyVersion
from yiyang.assessments.selectors import assessment_get, assessments_in_reach, policy_versions_in_reach


def _uuid(public_id: UUID | str) -> UUID | None:
    try:
        return UUID(str(public_id))
    except ValueError:
        return None


def access_assessment_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ASSESSMENTS_VIEW
) -> Assessment:
    """Return the assessment if the account may see it (its elder in reach, `assessments.view`, and
    for family members only once confirmed), else AssessmentNotFound; Forbidden if it may see the
    record but does not hold `perm`."""
    key = _uuid(public_id)
    if key is None or not assessments_in_reach(user=user).filter(public_id=key).exists():
        raise AssessmentNotFound
    assessment = assessment_get(public_id=key)
    if assessment is None:
        raise AssessmentNotFound
    if perm is not Perm.ASSESSMENTS_VIEW:
        require_perm(user, perm)
    return assessment


def access_policy_version_by_public_id(*, user: AnyUser, public_id: UUID | str) -> PolicyVersion:
    """Return the policy version if the account may read it, else PolicyVersionNotFound."""
    key = _uuid(public_id)
    version = None if key is None else policy_versions_in_reach(user=user).filter(public_id=key).first()
    if version is None:
        raise PolicyVersionNotFound
    return version
