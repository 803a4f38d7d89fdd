from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _reinstall_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from yiyang.audit import triggers

    triggers.install(connections[using])


class AuditConfig(AppConfig):
    name = "yiyang.audit"
    label = "audit"

    def ready(self) -> None:
        from yiyang.audit import receivers

        receivers.connect()
        # SQLite rebuilds a table for many schema changes and drops its triggers with it.
        post_migrate.connect(_reinstall_triggers, sender=self, dispatch_uid="audit.triggers")
