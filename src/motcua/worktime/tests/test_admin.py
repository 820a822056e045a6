"""Administrators add, change and delete overrides in the admin; the calendar follows at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.tests.factories import UserFactory
from motcua.worktime.constants import OverrideKind
from motcua.worktime.models import CalendarOverride
from motcua.worktime.services import get_calendar

from .factories import CalendarOverrideFactory

TUESDAY = dt.date(2023, 3, 14)


@pytest.fixture
def admin(db: None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_add_change_and_delete_through_the_admin(admin: Client) -> None:
    assert get_calendar().is_working_day(TUESDAY)
    response = admin.post(
        reverse("admin:worktime_calendaroverride_add"),
        {
            "date": "2023-03-14",
            "kind": OverrideKind.EXTRA_DAY_OFF,
            "name": "Nghỉ bão",
            "decision": "QĐ 5/QĐ-UBND",
        },
    )
    assert response.status_code == 302, response.content
    override = CalendarOverride.objects.get(date=TUESDAY)
    assert not get_calendar().is_working_day(TUESDAY)

    response = admin.post(
        reverse("admin:worktime_calendaroverride_change", args=[override.pk]),
        {"date": "2023-03-14", "kind": OverrideKind.EXTRA_WORKING_DAY, "name": "Làm", "decision": ""},
    )
    assert response.status_code == 302
    assert get_calendar().is_working_day(TUESDAY)

    admin.post(
        reverse("admin:worktime_calendaroverride_change", args=[override.pk]),
        {"date": "2023-03-14", "kind": OverrideKind.EXTRA_DAY_OFF, "name": "Nghỉ", "decision": ""},
    )
    assert not get_calendar().is_working_day(TUESDAY)
    response = admin.post(
        reverse("admin:worktime_calendaroverride_delete", args=[override.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert get_calendar().is_working_day(TUESDAY)


def test_bulk_delete_refreshes_the_calendar(admin: Client) -> None:
    CalendarOverrideFactory(date=TUESDAY)
    CalendarOverrideFactory(date=dt.date(2023, 3, 15))
    assert not get_calendar().is_working_day(TUESDAY)
    response = admin.post(
        reverse("admin:worktime_calendaroverride_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(CalendarOverride.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert get_calendar().is_working_day(TUESDAY)


def test_duplicate_date_is_a_form_error(admin: Client) -> None:
    CalendarOverrideFactory(date=TUESDAY)
    response = admin.post(
        reverse("admin:worktime_calendaroverride_add"),
        {"date": "2023-03-14", "kind": OverrideKind.EXTRA_DAY_OFF, "name": "Lần hai", "decision": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert CalendarOverride.objects.count() == 1


def test_changelist_shows_the_weekday(admin: Client) -> None:
    CalendarOverrideFactory(date=TUESDAY, name="Nghỉ bão")
    response = admin.get(reverse("admin:worktime_calendaroverride_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nghỉ bão" in content
    assert "Thứ Ba" in content


def test_the_official_calendar_is_shown_read_only_with_its_documents(admin: Client) -> None:
    changelist = admin.get(reverse("admin:worktime_calendaroverride_changelist"))
    url = reverse("admin:worktime_calendaroverride_official")
    assert url in changelist.content.decode()
    page = admin.get(url, {"nam": "2026"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lịch nghỉ chính thức năm 2026" in text
    assert "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ" in text
    assert "Nghị quyết 28/2026/QH16" in text
    assert "02/01/2026" in text
    assert "10/01/2026" in text
    assert "Thông báo 6150" not in text  # only the documents of the year shown
    assert "Lịch nghỉ chính thức năm 2027" in admin.get(url, {"nam": "x"}).content.decode()
    assert "<form" not in text.split('id="content-main"')[1]  # nothing to edit


def test_the_official_calendar_needs_the_view_permission(db: None) -> None:
    client = Client()
    client.force_login(UserFactory(username="clerk", is_staff=True))
    response = client.get(reverse("admin:worktime_calendaroverride_official"))
    assert response.status_code == 403
