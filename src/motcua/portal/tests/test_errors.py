"""Error pages render in Vietnamese, even without a request context (Django's 400 and 500 handlers)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_500_renders_without_a_request_context(rf: RequestFactory) -> None:
    response = defaults.server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi hệ thống" in html
    assert 'lang="vi"' in html


def test_400_renders_without_a_request_context(rf: RequestFactory) -> None:
    response = defaults.bad_request(rf.get("/"), Exception("bad"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in html
    # The site name falls back to its default when the context processors did not run.
    assert "Hệ thống thông tin giải quyết thủ tục hành chính" in html


def test_403_page(rf: RequestFactory) -> None:
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


def test_404_for_an_unknown_path(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
