"""Writes of accounts: API tokens, system actors (the demo staff, accounts with roles in units:
``organisations.services``)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from motcua.core import clock
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.refcache import refcache_get

from .models import AccountKind, User

SYSTEM_PREFIX = "system:"
_SYSTEM_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def api_token_expired(token: Token) -> bool:
    """``token`` is older than ``MOTCUA_API_TOKEN_DAYS`` (0: tokens never expire)."""
    days = settings.MOTCUA_API_TOKEN_DAYS
    return bool(days) and token.created + dt.timedelta(days=days) <= clock.now()


@transaction.atomic
def api_token_get_or_create(*, username: str, reset: bool = False) -> Token:
    """The DRF token of ``username`` (created if missing; replaced when ``reset``); ``NotFound`` if no user."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound(
            _("Không có tài khoản «%(username)s».") % {"username": username}, code="user_not_found"
        )
    if not user.is_active:
        raise ValidationFailed(
            _("Tài khoản «%(username)s» đang bị khóa.") % {"username": username}, code="user_inactive"
        )
    existing = Token.objects.filter(user=user).first()
    if reset or (existing is not None and api_token_expired(existing)):
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def system_actor(name: str, *, label: str = "") -> User:
    """The actor of outside system ``name`` (``vnpay``, ``dvcqg``, …): user ``system:<name>``, created once.

    A callback from a payment gateway, the national portal, a bank statement or a signing service acts on
    dossiers as this user, never as a borrowed officer: the transition table gives it the ``system`` role
    (``dossiers.constants.SYSTEM``) and its events and audit entries name it. It cannot log in: inactive, no
    usable password, kind ``system`` (not a staff account). ``label`` (Vietnamese) is shown beside the name.
    """
    if not _SYSTEM_NAME.fullmatch(name):
        raise ValidationFailed(
            _("Tên hệ thống «%(name)s» không hợp lệ (chữ thường, số, - và _).") % {"name": name},
            code="invalid_system_name",
        )
    username = f"{SYSTEM_PREFIX}{name}"
    try:  # the reference cache: read once per process (each gateway callback acts as it; issue 12, item 11)
        user: User | None = refcache_get(
            ("system-actor", username), lambda: User.objects.get(username=username)
        )
    except User.DoesNotExist:
        user = None
    if user is None:
        user = User(username=username, kind=AccountKind.SYSTEM, full_name=label[:200], is_active=False)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:  # created by a concurrent callback meanwhile
            user = User.objects.get(username=username)
    if user.kind != AccountKind.SYSTEM or user.is_active or user.has_usable_password():
        # A person's account under a system's name would act with a person's rights: refuse it loudly.
        raise ValidationFailed(
            _("Tài khoản «%(username)s» không phải tài khoản hệ thống.") % {"username": username},
            code="not_a_system_account",
        )
    return user
