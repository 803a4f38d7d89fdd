"""Writes to the elder registry: `registry` (register, change, contacts, record views), `facts`
(dated changes of economic status, household registration and status) and `roster_io` (Excel import
and export)."""

from yiyang.elders.services.facts import elder_fact_change
from yiyang.elders.services.registry import (
    EDITABLE_FIELDS,
    ContactInput,
    ElderInput,
    check_contact,
    check_elder_input,
    elder_build,
    elder_record_view,
    elder_refs_resolve,
    elder_register,
    elder_update,
    emergency_contact_add,
    emergency_contact_remove,
    phone_problem,
)
from yiyang.elders.services.roster_io import (
    EXPORT_MAX_ROWS,
    IMPORT_BATCH_SIZE,
    IMPORT_MAX_ROWS,
    ElderExport,
    ImportResult,
    elder_export,
    elder_roster_import,
)

__all__ = [
    "EDITABLE_FIELDS",
    "EXPORT_MAX_ROWS",
    "IMPORT_BATCH_SIZE",
    "IMPORT_MAX_ROWS",
    "ContactInput",
    "ElderExport",
    "ElderInput",
    "ImportResult",
    "check_contact",
    "check_elder_input",
    "elder_build",
    "elder_export",
    "elder_fact_change",
    "elder_record_view",
    "elder_refs_resolve",
    "elder_register",
    "elder_roster_import",
    "elder_update",
    "emergency_contact_add",
    "emergency_contact_remove",
    "phone_problem",
]
