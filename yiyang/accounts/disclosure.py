"""Who sees which personal values in full: one policy per role (least data, PIPL art. 6).

Lists always mask national ID and phones (`Disclosure.listed`). A record page or API detail shows
a value in full only when the viewer's role discloses that kind of value (`DISCLOSED`); everything
else is masked (names, IDs, phones) or withheld (notes). Every serializer, page, PDF, event stream
and hand-off sheet that shows an elder's name, ID, phone or address asks `disclosure_for(user)`
(or its `listed` form) and shows what its methods return, so pages and the API show the same and
a role's reach to full values is decided here and only here. `core.masking` keeps only the
masking functions; `mask_name` alone is right for text that leaves the system (an SMS).

A document that leaves the system (the printed assessment report, the roster export) uses
`LEAVES_SYSTEM` whoever downloads it: the name in full, national ID and phones masked. Once printed
or saved, no audit follows the file and it is handed to people outside the viewer's role, so it
never carries more than a list row does.

Every role that has an elder in reach sees the elder's name in full: the people working with the
elder and the relatives know it, and a masked name on one surface and a full one on another
(as alerts had) protects nothing.

Why each personal role sees what it sees:
- 助老员 (helper): visits and calls the assigned elder, and in an emergency the elder's contacts, so
  the elder's phone, the contacts' phones, the address and the care notes are shown; the national
  ID is never needed for that work and is masked.
- 家属 (family): sees their relative's record, but of the other emergency contacts and household
  members only names and masked phones, and their own contact entry in full (matched by the phone
  of their account); the elder's national ID is masked and the staff's notes withheld.
Staff roles see everything of the records in their reach; each such read is audited.
"""

from dataclasses import dataclass
from enum import StrEnum

from yiyang.accounts.access import AnyUser
from yiyang.accounts.choices import Role
from yiyang.accounts.models import User
from yiyang.core.masking import mask_bank_account, mask_name, mask_national_id, mask_phone


class Value(StrEnum):
    """Kinds of personal value shown on a record."""

    NAME = "name"  # the elder's name
    NATIONAL_ID = "national_id"  # the elder's national ID
    PHONE = "phone"  # the elder's own phone
    CONTACT_PHONES = "contact_phones"  # every emergency contact's phone
    MEMBER_PHONES = "member_phones"  # household members' phones
    ADDRESS = "address"  # the home's address
    NOTES = "notes"  # free-text care and health notes


ALL_VALUES = frozenset(Value)
STAFF_VALUES = ALL_VALUES

# The one table: what each role sees in full on a record in its reach. A role missing here sees
# nothing in full (a new role is masked until someone decides otherwise).
DISCLOSED: dict[str, frozenset[Value]] = {
    Role.BUREAU_OFFICER: STAFF_VALUES,
    Role.HEALTH_OFFICER: STAFF_VALUES,
    Role.STREET_STAFF: STAFF_VALUES,
    Role.CARE_CENTRE_STAFF: STAFF_VALUES,
    Role.STATION_STAFF: STAFF_VALUES,
    Role.INSTITUTION_STAFF: STAFF_VALUES,
    Role.MEDICAL_STAFF: STAFF_VALUES,
    Role.HELPER: frozenset({Value.NAME, Value.PHONE, Value.CONTACT_PHONES, Value.ADDRESS, Value.NOTES}),
    Role.FAMILY: frozenset({Value.NAME, Value.PHONE, Value.ADDRESS}),
}

# What a list row (a page of many records, an export) never shows in full, whoever looks.
MASKED_IN_LISTS = frozenset({Value.NATIONAL_ID, Value.PHONE, Value.CONTACT_PHONES, Value.MEMBER_PHONES})


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


@dataclass(frozen=True)
class Disclosure:
    """What one viewer sees in full. `own_phone` is the viewer's account phone: a family member sees
    the emergency contact entry with that number (their own) in full."""

    full: frozenset[Value]
    own_phone: str = ""

    def shows(self, value: Value) -> bool:
        return value in self.full

    @property
    def listed(self) -> "Disclosure":
        """The same viewer's policy for list rows: national ID and phones always masked."""
        return Disclosure(full=self.full - MASKED_IN_LISTS)

    def name(self, value: str) -> str:
        return value if self.shows(Value.NAME) else mask_name(value)

    def national_id(self, value: str) -> str:
        return value if self.shows(Value.NATIONAL_ID) else mask_national_id(value)

    def phone(self, value: str) -> str:
        return value if self.shows(Value.PHONE) else mask_phone(value)

    def contact_phone(self, value: str) -> str:
        """An emergency contact's phone: in full for roles that see contacts, or when it is the
        viewer's own number; masked otherwise."""
        if self.shows(Value.CONTACT_PHONES):
            return value
        if self.own_phone and value and _digits(value) == self.own_phone:
            return value
        return mask_phone(value)

    def member_phone(self, value: str) -> str:
        return value if self.shows(Value.MEMBER_PHONES) else mask_phone(value)

    def address(self, value: str) -> str:
        return value if self.shows(Value.ADDRESS) else ("***" if value else "")

    def notes(self, value: str) -> str:
        return value if self.shows(Value.NOTES) else ""

    def bank_account(self, value: str) -> str:
        """A payee's bank account (subsidy payroll): masked on every screen and list, whoever looks.
        Only the bank payment file, made for the bank and audited as an export, carries it in full."""
        return mask_bank_account(value)

    @property
    def masked(self) -> list[str]:
        """The kinds of value this viewer gets masked or withheld, for clients to say so."""
        return sorted(str(v) for v in ALL_VALUES - self.full)

    @property
    def full_identifiers(self) -> bool:
        """Whether a record read shows the national ID and phone in full (what the audit records)."""
        return self.shows(Value.NATIONAL_ID) and self.shows(Value.PHONE)


NOTHING = Disclosure(full=frozenset())

# For documents that leave the system (PDF report, roster export), whoever downloads them: the
# elder's name identifies the paper for the people it is handed to; identifiers stay masked.
LEAVES_SYSTEM = Disclosure(full=frozenset({Value.NAME}))


def disclosure_for(user: AnyUser) -> Disclosure:
    """The disclosure policy of the account's role (everything for a superuser, nothing for an
    anonymous or inactive account or an unknown role)."""
    if not isinstance(user, User) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Disclosure(full=ALL_VALUES)
    return Disclosure(full=DISCLOSED.get(user.role, frozenset()), own_phone=_digits(user.phone or ""))
