"""Reads of the benefits domain. Other apps' rows are read through their selectors only."""

from datetime import date
from decimal import Decimal

from yiyang.benefits.models import PolicyFile
from yiyang.benefits.policy import DatedValue, Override, Policy


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
