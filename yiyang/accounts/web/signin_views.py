"""Sign-in pages: password, then (where required) the TOTP step with enrolment; password change;
officers unlocking accounts and resetting second factors."""

import time
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yiyang.accounts import totp
from yiyang.accounts.access import access_staff_by_public_id
from yiyang.accounts.middleware import SESSION_SEEN, SESSION_STARTED
from yiyang.accounts.models import User
from yiyang.accounts.signin import (
    account_unlock,
    client_ip,
    login_refusal,
    login_success_record,
    password_change,
    password_expired,
    refusal_message,
    second_factor_check,
    second_factor_enrolled,
    second_factor_enrolment,
    second_factor_required,
    second_factor_reset,
)
from yiyang.core.errors import ValidationFailed
from yiyang.core.web import staff_page

PENDING_USER = "yiyang_2fa_user"
PENDING_BACKEND = "yiyang_2fa_backend"
PENDING_AT = "yiyang_2fa_at"
PENDING_NEXT = "yiyang_2fa_next"
# How long the password step stays good for the second-factor step.
PENDING_SECONDS = 300


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("用户名或密码错误，请重试。"),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            refused = getattr(self.request, "yiyang_login_refused", None)
            if refused is not None:
                raise ValidationError(refusal_message(refused), code="locked") from None
            raise


def _complete_sign_in(request: HttpRequest, user: User, backend: str) -> None:
    login(request, user, backend=backend)
    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_SEEN] = now
    login_success_record(username=user.username)


class SignInView(auth_views.LoginView):
    """The password step. Accounts that need a second factor go on to `login-second-factor`
    without being signed in yet."""

    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_skips_2fa"] = settings.YIYANG_DEMO_SKIP_2FA
        context["session_expired"] = bool(self.request.GET.get("expired"))
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        assert isinstance(user, User)
        backend = getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0])
        if second_factor_required(user):
            self.request.session.cycle_key()
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_BACKEND] = backend
            self.request.session[PENDING_AT] = time.time()
            self.request.session[PENDING_NEXT] = self.get_success_url()
            return redirect("login-second-factor")
        _complete_sign_in(self.request, user, backend)
        return redirect(self.get_success_url())


def _pending_user(request: HttpRequest) -> User | None:
    pk, at = request.session.get(PENDING_USER), request.session.get(PENDING_AT)
    if pk is None or at is None or time.time() - at > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_BACKEND, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)


def qr_svg(data: str) -> str:
    """An SVG QR code of `data`, drawn on the server (no script, no outside service)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the TOTP code. An account that has not enrolled sees its new
    secret as text and as a QR code, once, and confirms it with its first code."""
    user = _pending_user(request)
    if user is None:
        _clear_pending(request)
        messages.error(request, _("登录已超时，请重新输入用户名和密码。"))
        return redirect("login")
    ip_address = client_ip(request)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        refused = login_refusal(username=user.username, ip_address=ip_address)
        if refused is not None:
            _clear_pending(request)
            messages.error(request, refusal_message(refused))
            return redirect("login")
        try:
            second_factor_check(user=user, code=request.POST.get("otp", ""), ip_address=ip_address)
        except ValidationFailed as exc:
            errors = [e.reason for e in exc.errors]
            status = 400
            if login_refusal(username=user.username, ip_address=ip_address) is not None:
                _clear_pending(request)
                messages.error(request, refusal_message("account"))
                return redirect("login")
        else:
            backend = request.session.get(PENDING_BACKEND) or settings.AUTHENTICATION_BACKENDS[0]
            next_url = request.session.get(PENDING_NEXT) or settings.LOGIN_REDIRECT_URL
            _clear_pending(request)
            _complete_sign_in(request, user, backend)
            return redirect(next_url)
    context: dict[str, Any] = {"pending": user, "errors": errors}
    if not second_factor_enrolled(user):
        device = second_factor_enrolment(user)
        uri = totp.provisioning_uri(device.secret, account=user.username, issuer=settings.YIYANG_TOTP_ISSUER)
        context.update(
            enrolling=True,
            secret=" ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
            qr=mark_safe(qr_svg(uri)),  # noqa: S308 - generated by qrcode from our own URI, not user input
        )
    return render(request, "registration/second_factor.html", context, status=status)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("原密码"), widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(label=gettext_lazy("再次输入新密码"), widget=forms.PasswordInput, strip=False)


@login_required
def password_change_page(request: HttpRequest) -> HttpResponse:
    """Change one's own password; the page an expired password is sent to."""
    next_url = request.GET.get("next") or request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    errors: dict[str, list[str]] = {}
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        data = form.cleaned_data
        if data["new_password"] != data["new_password2"]:
            errors["new_password2"] = [_("两次输入的新密码不一致")]
        else:
            try:
                password_change(user=user, old_password=data["old_password"], new_password=data["new_password"])
            except ValidationFailed as exc:
                for error in exc.errors:
                    errors.setdefault(error.field, []).append(error.reason)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("密码已修改。"))
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "registration/password_change.html",
        {
            "form": form,
            "errors": errors,
            "next": next_url,
            "expired": password_expired(request.user),
            "min_length": settings.YIYANG_PASSWORD_MIN_LENGTH,
        },
        status=status,
    )


@require_POST
@staff_page
def staff_unlock_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Lift an account's sign-in lock (officers with accounts.manage, their district)."""
    account = access_staff_by_public_id(user=request.user, public_id=public_id)
    if account_unlock(actor=request.user, account=account):
        messages.success(request, _("已解除登录锁定。"))
    else:
        messages.info(request, _("该账号未被锁定。"))
    if request.POST.get("back") == "list":
        return redirect("staff-list")
    return redirect("staff-detail", public_id=account.public_id)


@require_POST
@staff_page
def staff_second_factor_reset_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """Remove an account's TOTP enrolment; it enrols again at its next sign-in."""
    account = access_staff_by_public_id(user=request.user, public_id=public_id)
    if second_factor_reset(actor=request.user, account=account):
        messages.success(request, _("已重置动态口令，该账号下次登录时重新绑定。"))
    else:
        messages.info(request, _("该账号未绑定动态口令。"))
    return redirect("staff-detail", public_id=account.public_id)
