"""`flush`, able to empty the audit table too.

Django's flush empties every table; on SQLite it does so with DELETE, which the audit table's
append-only trigger refuses unless the chain head says a purge is under way (PostgreSQL's TRUNCATE
fires no row triggers). Emptying the whole database is a deliberate act (and what the test runner
does between transactional tests), so this sets that flag first; the flush removes the head with
everything else, and the chain starts afresh at the next event.
"""

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

from yiyang.audit.models import AuditChainHead


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        table = AuditChainHead._meta.db_table
        marked = table in connections[database].introspection.table_names()
        if marked:
            AuditChainHead.objects.using(database).update(purging=True)
        try:
            super().handle(**options)
        finally:
            if marked:
                # Only matters when the flush was declined or failed: the head is still there.
                AuditChainHead.objects.using(database).update(purging=False)
