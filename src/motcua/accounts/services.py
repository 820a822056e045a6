"""Writes of accounts: API tokens (the demo staff, accounts with roles in units: ``organisations.services``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from motcua.core.errors import NotFound, ValidationFailed

from .models import User


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
    if reset:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token
