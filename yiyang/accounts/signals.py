"""Signals the accounts app sends about authentication; the audit app records them."""

from django.dispatch import Signal

account_locked_out = Signal()  # username: str, user: User | None, ip_address: str | None, reason: str
account_unlocked = Signal()  # user: User, by: User
second_factor_failed = Signal()  # user: User, ip_address: str | None
second_factor_reset = Signal()  # user: User, by: User
password_changed = Signal()  # user: User, by: User | None
