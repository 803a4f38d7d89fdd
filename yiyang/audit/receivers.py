"""Authentication events, recorded from Django's auth signals and the accounts app's own.

Connected in AuditConfig.ready. A failed login records the username as typed (at most 150
characters), never anything else from the credentials: they carry the password.
"""

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed

from yiyang.accounts import signals
from yiyang.accounts.access import scope_for
from yiyang.accounts.models import User
from yiyang.audit.models import AuditAction
from yiyang.audit.services import audit_record


def district_of(user: Any) -> int | None:
    """The district the account works in, if known (its scope's, else its area's)."""
    if not isinstance(user, User):
        return None
    district_id = scope_for(user).district_id
    area = user.area
    if district_id is None and area is not None:
        district_id = area.district_id or (area.pk if area.level == "district" else None)
    return district_id


def _user_event(action: AuditAction, user: Any, *, actor: Any, summary: str, actor_label: str | None = None) -> None:
    audit_record(
        actor=actor,
        actor_label=actor_label,
        action=action,
        entity_type="user",
        entity_id=str(user.public_id) if isinstance(user, User) else "",
        summary=summary,
        district=district_of(user),
    )


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _user_event(AuditAction.LOGIN, user, actor=user, summary="登录成功")


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _user_event(AuditAction.LOGOUT, user, actor=user, summary="退出登录")


def typed_username(credentials: dict[str, Any]) -> str:
    value = credentials.get(User.USERNAME_FIELD) or credentials.get("username") or ""
    return str(value)[:150]


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = typed_username(credentials)
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    _user_event(
        AuditAction.LOGIN_FAILED,
        user,
        actor=None,
        actor_label=username or "anonymous",
        summary=f"登录失败：用户名“{username}”" + ("" if user else "（无此账号）"),
    )


# The `reason` accounts.signals.account_locked_out carries, in the words stored summaries use.
LOCKOUT_REASONS = {"account": "该用户名连续登录失败次数过多", "address": "该来源地址登录失败次数过多"}


def on_locked_out(sender: Any, username: str = "", user: Any = None, reason: str = "", **kwargs: Any) -> None:
    label = (username or (user.get_username() if isinstance(user, User) else ""))[:150]
    _user_event(
        AuditAction.LOCKOUT,
        user,
        actor=None,
        actor_label=label or "anonymous",
        summary=f"账号锁定：用户名“{label}”" + (f"；{LOCKOUT_REASONS.get(reason, reason)}" if reason else ""),
    )


def on_unlocked(sender: Any, user: Any, by: Any = None, **kwargs: Any) -> None:
    _user_event(AuditAction.UNLOCK, user, actor=by, summary=f"解除锁定：{user.get_username()}")


def on_second_factor_failed(sender: Any, user: Any, **kwargs: Any) -> None:
    _user_event(AuditAction.MFA_FAILED, user, actor=user, summary="二次验证码错误")


def on_second_factor_reset(sender: Any, user: Any, by: Any = None, **kwargs: Any) -> None:
    _user_event(AuditAction.MFA_RESET, user, actor=by, summary=f"重置二次验证：{user.get_username()}")


def on_password_changed(sender: Any, user: Any, by: Any = None, **kwargs: Any) -> None:
    actor = by if by is not None else user
    who = "本人" if actor == user else actor.get_username()
    _user_event(AuditAction.PASSWORD_CHANGE, user, actor=actor, summary=f"修改密码：{user.get_username()}（{who}）")


def connect() -> None:
    user_logged_in.connect(on_login, dispatch_uid="audit.login")
    user_logged_out.connect(on_logout, dispatch_uid="audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    signals.account_locked_out.connect(on_locked_out, dispatch_uid="audit.lockout")
    signals.account_unlocked.connect(on_unlocked, dispatch_uid="audit.unlock")
    signals.second_factor_failed.connect(on_second_factor_failed, dispatch_uid="audit.mfa_failed")
    signals.second_factor_reset.connect(on_second_factor_reset, dispatch_uid="audit.mfa_reset")
    signals.password_changed.connect(on_password_changed, dispatch_uid="audit.password_changed")
