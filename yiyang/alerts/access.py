from uuid import UUID

from yiyang.accounts.access import AnyUser, require_perm
from yiyang.accounts.permissions import Perm
from yiyang.alerts.errors import AlertNotFound
from yiyang.alerts.models import Alert
from yiyang.alerts.selectors import alerts_in_reach

RESPONDERS = ("acknowledged_by", "dispatched_by", "on_scene_by", "closed_by")


def access_alert_by_public_id(*, user: AnyUser, public_id: UUID | str, perm: Perm = Perm.ALERTS_VIEW) -> Alert:
    """Return the alert if its elder is in reach and the account holds `alerts.view`, else
    AlertNotFound (missing and out of reach answer the same); Forbidden when `perm` is missing."""
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise AlertNotFound from None
    alert = (
        alerts_in_reach(user=user)
        # The responders with the unit shown beside their names (`person_label`) on the alert page.
        .select_related(
            "elder",
            "street",
            "district",
            *(f"{who}{unit}" for who in RESPONDERS for unit in ("", "__organisation", "__area")),
        )
        .filter(public_id=key)
        .first()
    )
    if alert is None:
        raise AlertNotFound
    if perm is not Perm.ALERTS_VIEW:
        require_perm(user, perm)
    return alert
