"""`yiyang escalate`: run the escalation sweep every second, forever (or once with --once)."""

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from yiyang.alerts.services import escalation_sweep

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Take due escalation steps every second (acknowledgement timeouts, re-escalation)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between sweeps (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        interval: float = options["interval"]
        while True:
            started = time.monotonic()
            # Drop a dead or stale connection between sweeps (never inside a caller's transaction).
            if not connection.in_atomic_block:
                close_old_connections()
            try:
                result = escalation_sweep(now=timezone.now())
                if result.steps:
                    self.stdout.write(f"{timezone.now().isoformat()} escalated {len(result.steps)} step(s)")
            except Exception:  # keep ticking: one bad sweep must not stop escalation for everyone
                logger.exception("escalation sweep failed")
            if options["once"]:
                return
            # Tick on a fixed cadence: a slow sweep shortens the next wait instead of drifting.
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
