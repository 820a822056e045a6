"""Second factor for staff: TOTP (RFC 6238) with django-otp, recovery codes, enrolment with a QR code.

After the password (``/dang-nhap/`` or the admin's ``/quan-tri/login/``) a staff member with a confirmed
authenticator is signed in but *not verified*: ``StaffMfaMiddleware`` sends every page to the code step
(``/dang-nhap/xac-thuc/``) until a current 6-digit code or an unused recovery code is given; then
``django_otp.login`` marks the session verified. Who must have one (``mfa_required_for``): leaders,
administrators and superusers when ``MOTCUA_STAFF_MFA_REQUIRED`` is on (default: outside the sandbox); they
are sent to the enrolment page (``/dang-nhap/thiet-lap-xac-thuc/``) until they have one. Anyone else may
enrol there (optional). Which step applies is decided once at each login and kept in the session (no query
per page; a new role applies at the next login). The API with a session answers 403 ``mfa_required`` until verified; API tokens are
for systems and are unaffected (they are issued by an administrator and expire).

Enrolment: an unconfirmed TOTP device with a new secret is shown as a QR code (otpauth:// URI drawn by segno)
and as base32 text; the first correct code confirms it and creates 10 single-use recovery codes, shown once.
A lost phone: the user signs in with a recovery code and enrols again, or an administrator deletes the
user's devices in the admin (``OTP`` section, audited) so that the user enrols at the next login.
Wrong codes are throttled by django-otp (each failure doubles the wait), on top of the login lockout.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.access import is_staff_account
from motcua.audit.services import audit_record
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership

RECOVERY_CODES = 10
_MFA_ROLES = (Role.LEADER, Role.ADMINISTRATOR)
# Paths a signed-in but unverified staff member may still reach.
_OPEN_PREFIXES = ("/dang-nhap/", "/dang-xuat/", "/quan-tri/logout/", "/static/", "/i18n/", "/healthz")


def mfa_required_for(user: Any) -> bool:
    if not settings.MOTCUA_STAFF_MFA_REQUIRED or not is_staff_account(user):
        return False
    return bool(user.is_superuser) or Membership.objects.filter(user=user, role__in=_MFA_ROLES).exists()


SESSION_STATE = "motcua_mfa"


def _mfa_state(user: Any) -> str:
    """What the user must do after the password: "verify" (has a device), "enrol" (must have one) or ""."""
    if user_has_device(user):
        return "verify"
    return "enrol" if mfa_required_for(user) else ""


def mfa_session_start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: decide the second-factor step once per login, not on every page."""
    if request is not None and hasattr(request, "session") and is_staff_account(user):
        request.session[SESSION_STATE] = _mfa_state(user)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _home(request: HttpRequest) -> str:
    return reverse("backoffice:home") if is_staff_account(request.user) else "/"


class StaffMfaMiddleware:
    """After ``OTPMiddleware`` and the staff-session check: the code step (or enrolment) before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_staff_account(user)
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            state = request.session.get(SESSION_STATE)
            if state is None:  # a session from before this rule: decided now, once
                state = request.session[SESSION_STATE] = _mfa_state(user)
            if state == "verify":
                step = "portal:mfa_verify"
            elif state == "enrol":
                step = "portal:mfa_enrol"
            else:
                return self.get_response(request)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "mfa_required", "message": _("Cần nhập mã xác thực hai lớp.")}, status=403
                )
            return redirect(f"{reverse(step)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def _verify(user: Any, code: str, devices: list[Any]) -> Any:
    """The device that accepts ``code`` (throttled per device by django-otp), or None."""
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


@login_required(login_url="portal:login")
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(_safe_next(request, _home(request)))
    devices = [*TOTPDevice.objects.devices_for_user(user), *StaticDevice.objects.devices_for_user(user)]
    if not devices:
        return redirect(f"{reverse('portal:mfa_enrol')}?next={_safe_next(request, _home(request))}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _verify(user, form.cleaned_data["code"], devices)
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                audit_record(
                    actor=user,  # type: ignore[arg-type]
                    action="mfa.recovery_code_used",
                    object_type="user",
                    object_id=str(user.pk),
                )
            return redirect(_safe_next(request, _home(request)))
        form.add_error("code", _("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng thử lại."))
    return render(
        request,
        "portal/mfa_verify.html",
        {"form": form, "next": _safe_next(request, ""), "title": _("Xác thực hai lớp")},
    )


def _qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@login_required(login_url="portal:login")
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_staff_account(user):
        return redirect("/")
    if user_has_device(user) and not user.is_verified():  # type: ignore[union-attr]
        return redirect(f"{reverse('portal:mfa_verify')}?next={reverse('portal:mfa_enrol')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Ứng dụng xác thực"), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(user, device)
            otp_login(request, device)
            return render(
                request,
                "portal/mfa_codes.html",
                {"codes": codes, "next": _safe_next(request, _home(request)), "title": _("Mã khôi phục")},
            )
        form.add_error("code", _("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và thử lại."))
    context = {
        "form": form,
        "qr": _qr_data_uri(device),
        "secret": _base32(device),
        "required": mfa_required_for(user),
        "next": _safe_next(request, ""),
        "title": _("Thiết lập xác thực hai lớp"),
    }
    return render(request, "portal/mfa_enrol.html", context)


def _base32(device: TOTPDevice) -> str:
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def _confirm(user: Any, device: TOTPDevice) -> list[str]:
    """Confirm ``device``, drop the user's other devices, and issue new recovery codes (returned once)."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Mã khôi phục"), confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    audit_record(
        actor=user,
        action="mfa.enrolled",
        object_type="user",
        object_id=user.pk,
        data={"recovery_codes": RECOVERY_CODES},
    )
    return codes
