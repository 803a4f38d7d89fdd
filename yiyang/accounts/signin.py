"""Sign-in security: throttling and lockout, the second factor, password expiry and change.

Everything here is keyed so that the answers never tell whether a username exists: failures and
locks are recorded against the username as typed, and a locked or throttled sign-in is refused
with the same message whatever the password and whether or not the account exists.
Audit records come from the signals in `yiyang.accounts.signals` and Django's auth signals.
"""

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yiyang.accounts import signals, totp
from yiyang.accounts.access import AnyUser, ScopeKind, has_perm, require_perm, scope_for
from yiyang.accounts.errors import StaffNotFound
from yiyang.accounts.models import LoginFailure, LoginLock, SecondFactor, User
from yiyang.accounts.permissions import Perm
from yiyang.core.errors import ErrorCollector, ValidationFailed
from yiyang.core.http import client_address

REFUSED_ACCOUNT = "account"
REFUSED_ADDRESS = "address"


def client_ip(request: HttpRequest | None) -> str | None:
    """The caller's address (`core.http.client_address`, the rule the audit log uses), or None."""
    return client_address(request) if request is not None else None


def _window_start() -> Any:
    return timezone.now() - timedelta(minutes=settings.YIYANG_LOCKOUT_WINDOW_MINUTES)


def _active_locks() -> QuerySet[LoginLock]:
    return LoginLock.objects.filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


def login_refusal(*, username: str, ip_address: str | None) -> str | None:
    """Why a sign-in must be refused before the password is even checked: REFUSED_ACCOUNT when the
    username is locked, REFUSED_ADDRESS when the address made too many failures in the window,
    else None."""
    if username and _active_locks().filter(username=username).exists():
        return REFUSED_ACCOUNT
    limit = settings.YIYANG_LOCKOUT_ADDRESS_FAILURES
    if ip_address and limit:
        recent = LoginFailure.objects.filter(ip_address=ip_address, at__gte=_window_start())
        if recent.count() >= limit:
            return REFUSED_ADDRESS
    return None


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    """Count a failed sign-in for the username and the address; lock the username when it reached
    YIYANG_LOCKOUT_ACCOUNT_FAILURES in the window, and announce (once) an address that reached
    YIYANG_LOCKOUT_ADDRESS_FAILURES. Sends `account_locked_out` for each."""
    now = timezone.now()
    username = username[:150]
    LoginFailure.objects.create(username=username, ip_address=ip_address, at=now)
    since = _window_start()
    account_limit = settings.YIYANG_LOCKOUT_ACCOUNT_FAILURES
    if username and account_limit:
        failures = LoginFailure.objects.filter(username=username, at__gte=since).count()
        if failures >= account_limit and not _active_locks().filter(username=username).exists():
            minutes = settings.YIYANG_LOCKOUT_MINUTES
            until = now + timedelta(minutes=minutes) if minutes else None
            try:
                with transaction.atomic():
                    LoginLock.objects.update_or_create(username=username, defaults={"locked_at": now, "until": until})
            except IntegrityError:  # a parallel failure locked it first
                pass
            else:
                signals.account_locked_out.send(
                    sender=User,
                    username=username,
                    user=User.objects.filter(username=username).first(),
                    ip_address=ip_address,
                    reason=REFUSED_ACCOUNT,
                )
    address_limit = settings.YIYANG_LOCKOUT_ADDRESS_FAILURES
    if (
        ip_address
        and address_limit
        and LoginFailure.objects.filter(ip_address=ip_address, at__gte=since).count() == address_limit
    ):
        signals.account_locked_out.send(
            sender=User, username=username, user=None, ip_address=ip_address, reason=REFUSED_ADDRESS
        )


def login_success_record(*, username: str) -> None:
    """A complete sign-in (password and, where required, second factor) clears the username's
    failures, so that earlier mistakes do not add up to a lock later; failures and locks that no
    longer count are deleted on the way (the audit log keeps the record of them)."""
    LoginFailure.objects.filter(username=username).delete()
    login_failures_prune()


def login_failures_prune() -> int:
    """Delete failures older than the window and locks that have ended; returns how many rows."""
    failures = LoginFailure.objects.filter(at__lt=_window_start()).delete()[0]
    return failures + LoginLock.objects.filter(until__lte=timezone.now()).delete()[0]


def refusal_message(reason: str) -> str:
    """One message for a locked username and a throttled address alike (says nothing about the account)."""
    return _("登录失败次数过多，已暂时禁止登录。请稍后再试，或联系管理员解锁。")


# --- officers: locked accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class LockedAccount:
    account: User
    locked_at: Any
    until: Any


def locked_accounts_in_reach(*, user: AnyUser) -> list[LockedAccount]:
    """Accounts placed in the officer's district (see `staff_in_reach`) whose username is locked now,
    most recently locked first. Locks of usernames that name no account are not shown."""
    from yiyang.accounts.selectors import staff_in_reach

    require_perm(user, Perm.STAFF_MANAGE)
    reach = staff_in_reach(user=user)
    # Filtered in the database: anyone can create locks for usernames that name no account.
    locks = {lock.username: lock for lock in _active_locks().filter(username__in=reach.values("username"))}
    if not locks:
        return []
    accounts = reach.filter(username__in=list(locks)).select_related("area", "organisation")
    rows = [LockedAccount(a, locks[a.username].locked_at, locks[a.username].until) for a in accounts]
    return sorted(rows, key=lambda r: r.locked_at, reverse=True)


def account_lock_of(account: User) -> LoginLock | None:
    """The account's lock in force now, if any."""
    return _active_locks().filter(username=account.username).first()


def _require_staff_in_reach(actor: AnyUser, account: User) -> None:
    from yiyang.accounts.selectors import staff_in_reach

    require_perm(actor, Perm.STAFF_MANAGE)
    if not staff_in_reach(user=actor).filter(pk=account.pk).exists():
        raise StaffNotFound


@transaction.atomic
def account_unlock(*, actor: AnyUser, account: User) -> bool:
    """Lift the account's lock and forget its recent failures.

    Guarantees: the actor holds `accounts.manage` and the account is placed in their district (else
    StaffNotFound). Returns whether a lock was lifted; `account_unlocked` is sent only then.
    """
    _require_staff_in_reach(actor, account)
    lifted = _active_locks().filter(username=account.username).exists()
    LoginLock.objects.filter(username=account.username).delete()
    LoginFailure.objects.filter(username=account.username).delete()
    if lifted:
        signals.account_unlocked.send(sender=User, user=account, by=actor)
    return lifted


# --- second factor -------------------------------------------------------------------------------


def second_factor_required(user: User) -> bool:
    """Whether signing in needs a TOTP code after the password: accounts holding `accounts.manage`
    or placed at a district (and superusers). With YIYANG_DEMO_SKIP_2FA on, accounts that have not
    enrolled sign in with the password alone; enrolled accounts always give the code."""
    needs = user.is_superuser or has_perm(user, Perm.STAFF_MANAGE) or scope_for(user).kind is ScopeKind.DISTRICT
    if not needs:
        return False
    return not (settings.YIYANG_DEMO_SKIP_2FA and not second_factor_enrolled(user))


def second_factor_enrolled(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def second_factor_enrolment(user: User) -> SecondFactor:
    """The account's unconfirmed enrolment, begun now if there is none (a new random secret). An
    account that has confirmed one gets ValidationFailed: the secret is never shown again; an
    officer resets it (`second_factor_reset`)."""
    device = SecondFactor.objects.filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValidationFailed.single("otp", _("已绑定动态口令，如需重新绑定请联系管理员重置"), "already_enrolled")
    if device is None:
        device = SecondFactor.objects.create(user=user, secret=totp.new_secret())
    return device


def second_factor_check(*, user: User, code: str, ip_address: str | None, now: float | None = None) -> None:
    """Accept `code` for the account's (possibly still unconfirmed) second factor, or raise
    ValidationFailed on `otp`. A code is accepted once: the same or an earlier time step is refused
    afterwards. An unconfirmed enrolment becomes confirmed. A wrong code sends `second_factor_failed`
    and counts as a failed sign-in for the username and address (so it leads to a lock too)."""
    with transaction.atomic():
        device = SecondFactor.objects.select_for_update().filter(user=user).first()
        step = None
        if device is not None:
            step = totp.totp_match(
                device.secret, code or "", time.time() if now is None else now, after_step=device.last_step
            )
        if step is not None:
            assert device is not None
            device.last_step = step
            fields = ["last_step"]
            if device.confirmed_at is None:
                device.confirmed_at = timezone.now()
                fields.append("confirmed_at")
            device.save(update_fields=fields)
            return
    signals.second_factor_failed.send(sender=User, user=user, ip_address=ip_address)
    login_failure_record(username=user.username, ip_address=ip_address)
    raise ValidationFailed.single("otp", _("动态口令不正确或已使用过"), "invalid_otp")


@transaction.atomic
def second_factor_reset(*, actor: AnyUser, account: User) -> bool:
    """Delete the account's second factor so that it enrols again at its next sign-in (recovery
    of a lost phone). Guarantees: the actor holds `accounts.manage` and the account is placed in
    their district (else StaffNotFound). Returns whether there was one; `second_factor_reset` is
    sent only then."""
    _require_staff_in_reach(actor, account)
    deleted = SecondFactor.objects.filter(user=account).delete()[0] > 0
    # A lost phone may mean a stolen one: API tokens issued with the old factor stop working too.
    revoke_api_tokens(account)
    if deleted:
        signals.second_factor_reset.send(sender=User, user=account, by=actor)
    return deleted


# --- passwords -----------------------------------------------------------------------------------


def revoke_api_tokens(account: User) -> None:
    """Delete the account's API tokens, so that a new sign-in (with the new password or second
    factor) is needed for the API."""
    apps.get_model("authtoken", "Token").objects.filter(user=account).delete()


def password_expired(user: AnyUser) -> bool:
    """Whether the account must change its password before doing anything else
    (YIYANG_PASSWORD_MAX_AGE_DAYS since it was set; 0 = never)."""
    days = settings.YIYANG_PASSWORD_MAX_AGE_DAYS
    if not days or not user.is_authenticated:
        return False
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and changed <= timezone.now() - timedelta(days=days)


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change the account holder's own password.

    Guarantees: the old password is right; the new one meets the password rules (length, classes,
    not the username, not common, not all digits, not recently used) and differs from the old one.
    Every problem is reported at once on its field and nothing is written. Sends `password_changed`.
    """
    errors = ErrorCollector()
    if not user.check_password(old_password):
        errors.add("old_password", _("原密码不正确"), "invalid")
    if new_password == old_password:
        errors.add("new_password", _("新密码不能与原密码相同"), "password_reused")
    try:
        validate_password(new_password, user)
    except DjangoValidationError as exc:
        errors.errors = [e for e in errors.errors if e.field != "new_password"]
        errors.add("new_password", pgettext("separator between sentences", "；").join(exc.messages), "weak_password")
    errors.raise_if_any(_("密码修改失败"))
    user.set_password(new_password)
    user.save(update_fields=["password", "password_changed_at"])
    revoke_api_tokens(user)
    signals.password_changed.send(sender=User, user=user, by=None)
