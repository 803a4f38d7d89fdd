"""Signals the accounts app sends about sign-in security; the audit app records them.

accounts never imports the audit app: it announces, and whoever listens writes. Django's own
`user_logged_in`, `user_logged_out` and `user_login_failed` are sent for every sign-in path too
(the login page, the second-factor step and `POST /api/v1/auth/token/`).
"""

from django.dispatch import Signal

# kwargs: username: str, user: User | None, ip_address: str | None,
#         reason: "account" (too many failures for this username) or "address" (from this address)
account_locked_out = Signal()
# kwargs: user: User, by: User
account_unlocked = Signal()
# kwargs: user: User, ip_address: str | None
second_factor_failed = Signal()
# kwargs: user: User, by: User
second_factor_reset = Signal()
# kwargs: user: User, by: User | None (None: the account holder changed it themselves)
password_changed = Signal()
