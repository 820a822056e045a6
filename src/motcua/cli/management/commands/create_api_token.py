"""``motcua create-api-token USERNAME``: print the user's API token (created if missing) on the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motcua.accounts.services import api_token_get_or_create
from motcua.core.errors import DomainError


class Command(BaseCommand):
    help = "In mã truy cập API (token) của một tài khoản; tạo mới nếu chưa có."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="tên đăng nhập")
        parser.add_argument("--reset", action="store_true", help="thu hồi mã cũ và tạo mã mới")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token = api_token_get_or_create(username=options["username"], reset=options["reset"])
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(
            _("Mã truy cập API của %(username)s (header: Authorization: Token <mã>):") % options
        )
        self.stdout.write(token.key)
