"""The official forms of a dossier (Circular 01/2018/TT-VPCP, DOMAIN.md §4) as PDFs, and the logbook.

Mẫu 01 receipt and appointment, 02 supplement request, 03 refusal, 04 apology and new appointment,
05 process control slip: A5 PDFs rendered from Django templates by WeasyPrint with the committed Noto Serif
font (``dossiers/fonts``, SIL OFL), so the output does not depend on the fonts of the machine.
Mẫu 06 logbook: xlsx (openpyxl) and an A4 landscape PDF for a unit and a date range.
Key ``05-dung``: Mẫu 05 of Circular 03/2025/TT-VPCP, the notice that the dossier's handling is stopped, only
for a dossier stopped by the "Dừng xử lý" action whose set in force has that form (``form_sets.py``); for a
dossier of the 2018 set it raises ``Conflict`` with code ``form_not_in_force``.

Reads only: a form is printed from what the dossier and its events already say. A form that does not apply
yet (e.g. Mẫu 03 for a dossier that was not refused) raises ``Conflict`` with code ``form_not_available``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime

from motcua.core import clock, formatting, xlsx
from motcua.core.errors import Conflict, ValidationFailed
from motcua.worktime.constants import Classification, LimitUnit

from .constants import Action, Status
from .form_sets import LOGBOOK, STOP_KEY, dossier_day, form_in_force, form_set_on, official_form
from .models import Dossier, DossierEvent, DossierStep

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.organisations.models import Unit

FONTS_DIR = Path(__file__).resolve().parent / "fonts"

FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "05": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    STOP_KEY: "Thông báo dừng giải quyết hồ sơ",  # Mẫu 05 of Circular 03/2025 (from 2025-07-01)
}

CLASSIFICATION_LABELS: dict[str, str] = {
    Classification.EARLY: "Trước hạn",
    Classification.ON_TIME: "Đúng hạn",
    Classification.LATE: "Quá hạn",
}


def time_limit_text(value: int, unit: str) -> str:
    if value == 0 or unit == LimitUnit.SAME_DAY:
        return "Trong ngày làm việc"
    return f"{value} {'giờ làm việc' if unit == LimitUnit.HOURS else 'ngày làm việc'}"


def public_lookup_url(code: str) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/?ma={code}"


def qr_data_uri(text: str) -> str:
    """A PNG QR code as a data URI (a raster image: PDF readers and tests see it as an image)."""
    return str(segno.make(text, error="m").png_data_uri(scale=4, border=2))


@cache
def _font_css() -> str:
    faces = [("NotoSerif-Regular.ttf", "normal", "normal"), ("NotoSerif-Bold.ttf", "bold", "normal")]
    faces.append(("NotoSerif-Italic.ttf", "normal", "italic"))
    return "\n".join(
        f'@font-face {{ font-family: "Motcua Serif"; src: url("{(FONTS_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in faces
    )


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"font_css": _font_css(), **context})
    return bytes(HTML(string=html, base_url=str(FONTS_DIR)).write_pdf())


def form_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A PDF of a template extending ``dossiers/forms/base.html`` (the forms' font, page and heading); the
    papers other apps print use it (the payments' electronic receipts)."""
    return _pdf(template, context)


# Extra context other apps add to a form (the payments app: the VietQR of what is due, on Mẫu 01): callables
# ``(dossier, form) -> dict`` registered from their ``AppConfig.ready`` (dossiers sits below them).
FormExtra = Callable[[Dossier, str], dict[str, Any]]
_form_extras: list[FormExtra] = []


def form_extra_register(extra: FormExtra) -> FormExtra:
    if extra not in _form_extras:
        _form_extras.append(extra)
    return extra


def _person(user: User | None) -> str:
    return str(user) if user is not None else ""


def _events(dossier: Dossier) -> list[DossierEvent]:
    return list(dossier.events.all())


def _last_event(events: list[DossierEvent], *actions: str) -> DossierEvent | None:
    found = [e for e in events if e.action in actions]
    return found[-1] if found else None


@dataclass(frozen=True)
class ControlRow:
    """One row of Mẫu 05: who handed what to whom, when, and how the step ended."""

    label: str
    unit: str
    at: str
    receiver: str
    result: str
    note: str


def control_rows(dossier: Dossier, events: list[DossierEvent] | None = None) -> list[ControlRow]:
    """Rows of the process control slip: the intake, every process leg, the resolution and the return."""
    events = _events(dossier) if events is None else events
    rows: list[ControlRow] = []
    receive = _last_event(events, Action.RECEIVE)
    if receive is not None:
        rows.append(
            ControlRow(
                label="Tiếp nhận hồ sơ",
                unit=f"Bộ phận Một cửa — {dossier.unit.name}",
                at=formatting.instant(receive.at),
                receiver=_person(receive.actor),
                result="",
                note=receive.note,
            )
        )
    steps: list[DossierStep] = sorted(dossier.steps.all(), key=lambda s: (s.batch, s.position, s.pk))
    for step in steps:
        if step.started_at is None:
            continue
        rows.append(
            ControlRow(
                label=step.name,
                unit=step.unit.name,
                at=formatting.instant(step.started_at),
                receiver=_person(step.assignee),
                result=CLASSIFICATION_LABELS.get(step.classification, "Đang xử lý" if step.is_open else ""),
                note=step.note,
            )
        )
    for action, label in ((Action.RESOLVE, "Hoàn thành xử lý"), (Action.RETURN, "Trả kết quả")):
        event = _last_event(events, action)
        if event is not None:
            rows.append(
                ControlRow(
                    label=label,
                    unit=event.unit.name if event.unit else dossier.unit.name,
                    at=formatting.instant(event.at),
                    receiver=_person(event.actor),
                    result=CLASSIFICATION_LABELS.get(event.classification, ""),
                    note=event.note,
                )
            )
    return rows


def forms_available(dossier: Dossier, events: list[DossierEvent] | None = None) -> list[str]:
    """The form numbers that can be printed for ``dossier`` now."""
    events = _events(dossier) if events is None else events
    actions = {e.action for e in events}
    result = []
    if dossier.received_at is not None:
        result.append("01")
    if Action.REQUEST_SUPPLEMENT in actions:
        result.append("02")
    if Action.REFUSE in actions or dossier.status == Status.NOT_RECEIVED:
        result.append("03")
    if Action.EXTEND in actions:
        result.append("04")
    if dossier.received_at is not None:
        result.append("05")
    if _stopped(dossier, actions) and form_in_force(STOP_KEY, dossier_day(dossier)):
        result.append(STOP_KEY)
    return result


def _stopped(dossier: Dossier, actions: set[str]) -> bool:
    """Stopped by the "Dừng xử lý" action (not by an accepted withdrawal)."""
    return dossier.status == Status.STOPPED and Action.STOP in actions


def printable_forms(dossier: Dossier, events: list[DossierEvent] | None = None) -> list[tuple[str, str, str]]:
    """``(key, number printed, title)`` of the forms ``forms_available`` gives, numbered as in the set in
    force on the dossier's date (the control slip, key ``05``, is "Mẫu 06" from 2025-07-01)."""
    day = dossier_day(dossier)
    rows = []
    for key in forms_available(dossier, events):
        official = official_form(key, day)[1]
        rows.append((key, official.number, official.title))
    return rows


def _not_in_force(form: str, dossier: Dossier) -> Conflict:
    form_set = form_set_on(dossier_day(dossier))
    return Conflict(
        f"{FORMS[form]} không có trong bộ biểu mẫu áp dụng cho hồ sơ ({form_set.document}).",
        code="form_not_in_force",
        details={"form": form, "document": form_set.document},
    )


def _not_available(form: str) -> Conflict:
    return Conflict(
        f"Hồ sơ chưa có dữ liệu để in {FORMS[form].lower()} (Mẫu {form}).",
        code="form_not_available",
        details={"form": form},
    )


def _context(dossier: Dossier, form: str, events: list[DossierEvent]) -> dict[str, Any]:
    version = dossier.procedure_version
    unit = dossier.unit
    parent = unit.parent if unit.parent_id else None
    now = clock.now().astimezone(clock.VN_TZ)
    # the number, title and issuing circular of the set in force on the dossier's date (form_sets.py)
    form_set, official = official_form(form, dossier_day(dossier))
    return {
        "dossier": dossier,
        "form": official.number,
        "form_key": form,
        "title": official.title,
        "issued_by": form_set.issued_by,
        "unit_name": unit.name,
        "parent_name": parent.name if parent else "",
        "procedure_name": version.name,
        "procedure_code": version.procedure.code,
        "legal_basis": [line.strip() for line in version.legal_basis.splitlines() if line.strip()],
        "time_limit": time_limit_text(version.time_limit_value, version.time_limit_unit),
        "received": formatting.instant(dossier.received_at),
        "due": formatting.instant(dossier.due_at),
        "statutory_due": formatting.instant(dossier.statutory_due_at),
        "printed_day": now,
        "applicant_kind": dossier.get_applicant_kind_display(),
    }


def dossier_form_render(*, dossier: Dossier, form: str) -> bytes:
    """Mẫu ``form`` ("01"…"05", "05-dung") of ``dossier`` as an A5 PDF.

    The caller has already checked that the user may see ``dossier`` (use ``dossier_get_for_user``).
    Raises ``ValidationFailed`` for an unknown form and ``Conflict`` (``form_not_available``) when the
    dossier has not reached the point where the form exists.
    """
    if form not in FORMS:
        raise ValidationFailed(
            f"Mẫu {form} không tồn tại.", code="unknown_form", details={"forms": list(FORMS)}
        )
    events = _events(dossier)
    if not form_in_force(form, dossier_day(dossier)):
        raise _not_in_force(form, dossier)
    if form not in forms_available(dossier, events):
        raise _not_available(form)
    context = _context(dossier, form, events)
    if form == "01":
        receive = _last_event(events, Action.RECEIVE)
        assert dossier.code is not None
        context.update(
            components=[
                {
                    "name": c.name,
                    "kind": c.get_kind_display(),
                    "count": c.count,
                    "received": c.received,
                }
                for c in dossier.components.all()
            ],
            lookup_url=public_lookup_url(dossier.code),
            qr=qr_data_uri(public_lookup_url(dossier.code)),
            receiver=_person(receive.actor) if receive else "",
            collect_at=f"Bộ phận Một cửa — {dossier.unit.name}",
        )
    elif form == "02":
        event = _last_event(events, Action.REQUEST_SUPPLEMENT)
        assert event is not None
        lines = [line.strip(" -•\t") for line in event.note.splitlines() if line.strip(" -•\t")]
        context.update(
            event=event,
            at=formatting.instant(event.at),
            items=[line for line in lines if not line.lower().startswith("lý do:")],
            reasons=[line[6:].strip() for line in lines if line.lower().startswith("lý do:")],
            officer=_person(event.actor),
            officer_phone="",
        )
    elif form == "03":
        event = _last_event(events, Action.REFUSE)
        context.update(
            event=event,
            at=formatting.instant(event.at if event else dossier.closed_at),
            reason=event.note if event else "",
            officer=_person(event.actor) if event else "",
        )
    elif form == "04":
        event = _last_event(events, Action.EXTEND)
        assert event is not None
        previous = parse_datetime(str(event.data.get("previous_due") or ""))
        context.update(
            event=event,
            at=formatting.instant(event.at),
            original_due=formatting.instant(previous or dossier.statutory_due_at),
            new_due=formatting.instant(event.due_at or dossier.due_at),
            reason=event.note,
            officer=_person(event.actor),
        )
    elif form == STOP_KEY:
        event = _last_event(events, Action.STOP)
        assert event is not None
        # the note is the reason; its lines starting "Căn cứ" are the legal ground, when the leader wrote one
        lines = [line.strip() for line in event.note.splitlines() if line.strip()]
        context.update(
            event=event,
            at=formatting.instant(event.at),
            reasons=[line for line in lines if not line.lower().startswith("căn cứ")],
            grounds=[line for line in lines if line.lower().startswith("căn cứ")],
            leader=_person(event.actor),
        )
    else:
        context.update(rows=control_rows(dossier, events))
    for extra in list(_form_extras):
        context.update(extra(dossier, form))
    return _pdf(f"dossiers/forms/form_{form.replace('-', '_')}.html", context)


# ------------------------------------------------------------------------------------------ Mẫu 06


LOGBOOK_HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Xử lý xong",
    "Trả kết quả",
    "Trạng thái",
    "Ghi chú",
]


def logbook_dossiers(
    *, dossiers: QuerySet[Dossier], unit: Unit, date_from: dt.date, date_to: dt.date
) -> QuerySet[Dossier]:
    """Dossiers of ``unit`` received between the two days (inclusive, Vietnam days), oldest first.

    ``dossiers`` is the caller's visible set (``dossiers_visible_to(user)``): scope is never widened here.
    """
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=clock.VN_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=clock.VN_TZ)
    return (
        dossiers.filter(unit=unit, received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "unit")
        .prefetch_related("steps__unit")
        .order_by("received_at", "pk")
    )


def _logbook_row(index: int, dossier: Dossier) -> list[Any]:
    contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
    forwarded = sorted({s.unit.name for s in dossier.steps.all() if s.unit_id != dossier.unit_id})
    first_step = min((s.started_at for s in dossier.steps.all() if s.started_at), default=None)
    return [
        index,
        dossier.code or "",
        dossier.procedure_version.name,
        1,
        dossier.applicant_name,
        contact,
        ", ".join([dossier.unit.name, *forwarded]),
        formatting.instant(dossier.received_at),
        formatting.instant(dossier.due_at),
        formatting.instant(first_step),
        formatting.instant(dossier.finished_at),
        formatting.instant(dossier.returned_at),
        dossier.get_status_display(),
        "Đã gia hạn" if dossier.extended else "",
    ]


def logbook_xlsx(*, rows: Iterable[Dossier], unit: Unit, date_from: dt.date, date_to: dt.date) -> bytes:
    """Mẫu 06 logbook as an Excel workbook; ``rows``: ``logbook_dossiers(...)`` of the same unit and days."""
    table = xlsx.Table(
        name="Mau 06",
        preamble=[
            f"SỔ THEO DÕI HỒ SƠ — {unit.name}",
            f"Từ ngày {formatting.day(date_from)} đến ngày {formatting.day(date_to)}",
        ],
        header=LOGBOOK_HEADERS,
        rows=(_logbook_row(index, dossier) for index, dossier in enumerate(rows, start=1)),
        widths=(5, 26, 40, 8, 24, 30, 28, 17, 17, 24, 17, 17, 18, 14),
        wrap_header=True,
    )
    return xlsx.xlsx_table(table)


def logbook_pdf(*, rows: Iterable[Dossier], unit: Unit, date_from: dt.date, date_to: dt.date) -> bytes:
    """Mẫu 06 logbook as an A4 landscape PDF; ``rows``: ``logbook_dossiers(...)`` of the same unit and days
    (numbered and titled as in the set of forms in force on the last day)."""
    form_set = form_set_on(date_to)
    return _pdf(
        "dossiers/forms/form_06.html",
        {
            "unit_name": unit.name,
            "parent_name": unit.parent.name if unit.parent_id and unit.parent else "",
            "date_from": date_from,
            "date_to": date_to,
            "headers": LOGBOOK_HEADERS,
            "rows": [_logbook_row(i, d) for i, d in enumerate(rows, start=1)],
            "printed_day": clock.now().astimezone(clock.VN_TZ),
            "form": form_set.forms[LOGBOOK].number,
            "title": form_set.forms[LOGBOOK].title,
            "issued_by": form_set.issued_by,
        },
    )
