"""Helpers shared by this app's tests."""

from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from yiyang.audit.models import ACCESS_ACTIONS, AuditEvent
from yiyang.core.errors import ApplicationError
from yiyang.core.testing import grant_permissions
from yiyang.organisations.models import Admission, Bed, Organisation

# Token authentication comes first in REST_FRAMEWORK, so DRF answers an anonymous caller 401 with a
# WWW-Authenticate header (with session authentication first it would be 403).
ANONYMOUS_API_STATUS = 401


def grant(user: Any, *perms: str) -> Any:
    """Give one account extra named permissions, as an officer would."""
    return grant_permissions(user, *perms)


def api_client(user: Any | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_client(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def snapshot() -> dict[str, int]:
    """Row counts of everything these services write, to assert that a refused call wrote nothing."""
    return {
        "organisations": Organisation.objects.count(),
        "beds": Bed.objects.count(),
        "admissions": Admission.objects.count(),
        "open_admissions": Admission.objects.filter(discharged_on__isnull=True).count(),
        "occupied_beds": Bed.objects.filter(state="occupied").count(),
        # Reads are audited too (a page re-rendered with the refusal lists the residents it shows).
        "audit_events": AuditEvent.objects.exclude(action__in=[*ACCESS_ACTIONS, "view"]).count(),
    }


def field_codes(error: ApplicationError | dict[str, Any]) -> set[tuple[str, str]]:
    """(field, code) pairs of a raised error or of an API error body."""
    if isinstance(error, dict):
        return {(e["field"], e["code"]) for e in error["errors"]}
    return {(e.field, e.code) for e in error.errors}


def organisation_form_data(organisation: Organisation, **overrides: Any) -> dict[str, Any]:
    """What the edit page posts for `organisation` unchanged, with `overrides` typed over it (an
    unticked box is simply left out, as a browser does)."""
    data: dict[str, Any] = {
        "kind": organisation.kind,
        "name": organisation.name,
        "area": str(organisation.area.public_id),
        "address": organisation.address,
        "latitude": "" if organisation.latitude is None else str(organisation.latitude),
        "longitude": "" if organisation.longitude is None else str(organisation.longitude),
        "licence_number": organisation.licence_number,
        "filing_number": organisation.filing_number,
        "credit_code": organisation.credit_code,
        "ownership": organisation.ownership,
        "hospital_grade": organisation.hospital_grade,
        "contact_name": organisation.contact_name,
        "contact_phone": organisation.contact_phone,
        "status": organisation.status,
    }
    if organisation.is_integrated_care:
        data["is_integrated_care"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
