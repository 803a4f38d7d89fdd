"""Turning a public id into a benefits record the account may touch. Missing and out-of-reach records
give the same answer (not found), so ids cannot be probed; a record in reach but an action the
account has no right to is Forbidden."""

from uuid import UUID

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.benefits.errors import ApplicationNotFound, AttachmentNotFound, EntitlementNotFound
from yiyang.benefits.models import Application, Attachment, Entitlement
from yiyang.benefits.selectors import application_get, applications_in_reach, entitlement_get, entitlements_in_reach


def _uuid(public_id: UUID | str) -> UUID | None:
    try:
        return UUID(str(public_id))
    except ValueError:
        return None


def access_application_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.BENEFITS_VIEW
) -> Application:
    """The application if the account may see it (in reach, `benefits.view`), else
    ApplicationNotFound; Forbidden if it may see it but does not hold `perm`."""
    key = _uuid(public_id)
    if key is None or not applications_in_reach(user=user).filter(public_id=key).exists():
        raise ApplicationNotFound
    application = application_get(public_id=key)
    if application is None:
        raise ApplicationNotFound
    if perm is not Perm.BENEFITS_VIEW:
        require_perm(user, perm)
    return application


def access_entitlement_by_public_id(
    *, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.BENEFITS_VIEW
) -> Entitlement:
    """The entitlement if the account may see it, else EntitlementNotFound; Forbidden if it may see
    it but does not hold `perm`."""
    key = _uuid(public_id)
    if key is None or not entitlements_in_reach(user=user).filter(public_id=key).exists():
        raise EntitlementNotFound
    entitlement = entitlement_get(public_id=key)
    if entitlement is None:
        raise EntitlementNotFound
    if perm is not Perm.BENEFITS_VIEW:
        require_perm(user, perm)
    return entitlement


def access_attachment_by_public_id(*, user: AnyUser, application: Application, public_id: UUID | str) -> Attachment:
    """One attachment of an application already in reach, else AttachmentNotFound."""
    key = _uuid(public_id)
    attachment = None if key is None else Attachment.objects.filter(application=application, public_id=key).first()
    if attachment is None:
        raise AttachmentNotFound
    return attachment
