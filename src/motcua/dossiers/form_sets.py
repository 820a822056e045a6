"""The official one-stop forms in force on a day (issue 15, item 6; docs/reports.md "Forms in force").

The forms a dossier's papers follow are those of the document in force on the dossier's date (its receipt,
else its submission, else its creation), not on the day they are printed: a dossier received in June 2025 keeps
the forms of Circular 01/2018/TT-VPCP when its control slip is printed in August.

- **Circular 01/2018/TT-VPCP** (guiding Decree 61/2018/NĐ-CP): Mẫu 01 receipt and appointment, 02 supplement
  request, 03 refusal, 04 apology and new appointment, 05 process control slip, 06 logbook. In force until
  2025-06-30.
- **Circular 03/2025/TT-VPCP** (guiding Decree 118/2025/NĐ-CP of 09/06/2025, which replaced Decree 61/2018 from
  2025-07-01), Appendix I: 01 receipt, 02 supplement request, 03 refusal, 04 apology with the request to extend
  the time limit, 05 notice that the dossier is no longer handled (stop), 06 process control slip, 07 logbook.
  Taken from a secondary source (a 2026 study citing the appendix); the circular's own date and effective day
  are not verified here: it is applied from Decree 118/2025's effective day.

Sources looked up on 2026-12-04 (the helpers' ``search`` over stored public pages and repositories): the text of
Circular 03/2025/TT-VPCP itself was not found (queries on its number, "Thông báo dừng giải quyết hồ sơ Mẫu số
05", Decree 118's one-stop title). Found: the text of Decree 118/2025/NĐ-CP, "Số: 118/2025/NĐ-CP, Hà Nội, ngày
09 tháng 06 năm 2025", on the one-stop mechanism at the one-stop desks and the national public-service portal
(https://www.hethongphapluat.vn/nghi-dinh-118-2025-nd-cp-thuc-hien-thu-tuc-hanh-chinh-theo-co-che-mot-cua-mot-cua-lien-thong-tai-bo-phan-mot-cua-va-cong-dich-vu-cong-quoc-gia.html;
its effective-day article was not in the excerpt); and the same 2026 study (a stored repository file, Table 2.3
"Bộ biểu mẫu theo Phụ lục I Thông tư 03/2025/TT-VPCP"), whose list of the seven forms and titles matches the one
below, and which adds that Decree 367/2025/NĐ-CP amends parts of Decree 118 (not reflected here: no form change
is stated). Nothing found contradicts the sets below, so behaviour is unchanged.

The stable keys printing and the API use are the 2018 numbers ("01"…"06"), one per kind of paper
(``KIND_OF``); the number and title printed on the paper come from the set in force. The 2025 notice of
stopping has no 2018 number: its key is ``"05-dung"`` (``STOP_KEY``; "dừng"), which cannot clash with a 2018
number, and it exists only for a dossier whose set in force has it (``form_in_force``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Dossier

RECEIPT = "receipt"
SUPPLEMENT = "supplement"
REFUSAL = "refusal"
APOLOGY = "apology"
STOP = "stop"
CONTROL = "control"
LOGBOOK = "logbook"

# The stable form keys (the 2018 numbers, used in URLs and the API) -> the kind of paper.
KIND_OF: dict[str, str] = {
    "01": RECEIPT,
    "02": SUPPLEMENT,
    "03": REFUSAL,
    "04": APOLOGY,
    "05": CONTROL,
    "06": LOGBOOK,
    "05-dung": STOP,  # Mẫu 05 of Circular 03/2025 (no 2018 counterpart): key "05-dung", never a 2018 number
}
STOP_KEY = "05-dung"


@dataclass(frozen=True)
class OfficialForm:
    number: str  # as printed: "Mẫu số 06"
    title: str


@dataclass(frozen=True)
class FormSet:
    document: str  # the circular that issues the forms
    decree: str  # the decree it guides
    valid_from: dt.date | None
    valid_to: dt.date | None
    forms: dict[str, OfficialForm]  # kind -> form
    note: str = ""

    @property
    def issued_by(self) -> str:
        return f"Ban hành kèm theo {self.document}"

    def covers(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


CIRCULAR_01_2018 = FormSet(
    document="Thông tư số 01/2018/TT-VPCP",
    decree="Nghị định số 61/2018/NĐ-CP",
    valid_from=None,
    valid_to=dt.date(2025, 6, 30),
    forms={
        RECEIPT: OfficialForm("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        SUPPLEMENT: OfficialForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        REFUSAL: OfficialForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        APOLOGY: OfficialForm("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        CONTROL: OfficialForm("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        LOGBOOK: OfficialForm("06", "Sổ theo dõi hồ sơ"),
    },
)

CIRCULAR_03_2025 = FormSet(
    document="Thông tư số 03/2025/TT-VPCP",
    decree="Nghị định số 118/2025/NĐ-CP",
    valid_from=dt.date(2025, 7, 1),
    valid_to=None,
    forms={
        RECEIPT: OfficialForm("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        SUPPLEMENT: OfficialForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        REFUSAL: OfficialForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        APOLOGY: OfficialForm("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        STOP: OfficialForm("05", "Thông báo dừng giải quyết hồ sơ"),
        CONTROL: OfficialForm("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        LOGBOOK: OfficialForm("07", "Sổ theo dõi hồ sơ"),
    },
    note="applied from Decree 118/2025/NĐ-CP's effective day; the circular's own date is not verified",
)

FORM_SETS: tuple[FormSet, ...] = (CIRCULAR_01_2018, CIRCULAR_03_2025)


def form_set_on(day: dt.date) -> FormSet:
    """The set of forms in force on ``day`` (the latest set when several would cover it)."""
    for form_set in reversed(FORM_SETS):
        if form_set.covers(day):
            return form_set
    return FORM_SETS[0]


def dossier_day(dossier: Dossier) -> dt.date:
    """The day that decides a dossier's forms: received, else submitted, else created (Vietnam time)."""
    from motcua.core import clock

    instant = dossier.received_at or dossier.submitted_at or dossier.created_at or clock.now()
    return instant.astimezone(clock.VN_TZ).date()


def form_in_force(key: str, day: dt.date) -> bool:
    """Whether the set in force on ``day`` has a form for stable key ``key`` (``"05-dung"`` only from 2025)."""
    return key in KIND_OF and KIND_OF[key] in form_set_on(day).forms


def official_form(key: str, day: dt.date) -> tuple[FormSet, OfficialForm]:
    """The set in force on ``day`` and its form for stable key ``key`` ("01"…"06", "05-dung", ``KIND_OF``).

    Raises ``KeyError`` when that set has no such form (check ``form_in_force`` first)."""
    form_set = form_set_on(day)
    return form_set, form_set.forms[KIND_OF[key]]
