"""Vietnamese message templates per event (subject for email; the body serves email and SMS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Template:
    subject: str | Promise
    body: str | Promise
    sms: str | Promise


TEMPLATES: dict[str, Template] = {
    "dossier_submitted": Template(
        subject=_("Hồ sơ %(code)s đã được nộp trực tuyến"),
        body=_(
            "Kính gửi %(name)s,\n\nHồ sơ %(code)s (thủ tục: %(procedure)s) đã được nộp trực tuyến tới "
            "%(unit)s lúc %(submitted)s. Cán bộ sẽ kiểm tra và tiếp nhận hồ sơ; ông/bà sẽ nhận được thông "
            "báo khi hồ sơ được tiếp nhận.\nTheo dõi hồ sơ: %(lookup_url)s"
        ),
        sms=_("Ho so %(code)s da duoc nop truc tuyen. Theo doi: %(lookup_url)s"),
    ),
    "dossier_received": Template(
        subject=_("Hồ sơ %(code)s đã được tiếp nhận"),
        body=_(
            "Kính gửi %(name)s,\n\n%(unit)s đã tiếp nhận hồ sơ %(code)s (thủ tục: %(procedure)s) lúc "
            "%(received)s.\nNgày hẹn trả kết quả: %(due)s.\nTra cứu tình trạng hồ sơ: %(lookup_url)s"
        ),
        sms=_("Ho so %(code)s da duoc tiep nhan. Hen tra ket qua: %(due)s. Tra cuu: %(lookup_url)s"),
    ),
    "dossier_supplement_requested": Template(
        subject=_("Hồ sơ %(code)s cần bổ sung"),
        body=_(
            "Kính gửi %(name)s,\n\nHồ sơ %(code)s cần được bổ sung, hoàn thiện:\n%(note)s\n\n"
            "Vui lòng liên hệ %(unit)s để bổ sung hồ sơ."
        ),
        sms=_("Ho so %(code)s can bo sung. Vui long lien he %(unit_ascii)s."),
    ),
    "dossier_resolved": Template(
        subject=_("Hồ sơ %(code)s đã có kết quả"),
        body=_(
            "Kính gửi %(name)s,\n\nHồ sơ %(code)s (thủ tục: %(procedure)s) đã có kết quả. "
            "Mời ông/bà đến %(unit)s để nhận kết quả."
        ),
        sms=_("Ho so %(code)s da co ket qua. Moi ong/ba den nhan ket qua."),
    ),
    "dossier_refused": Template(
        subject=_("Hồ sơ của ông/bà không được tiếp nhận"),
        body=_(
            "Kính gửi %(name)s,\n\n%(unit)s không tiếp nhận hồ sơ %(code)s (thủ tục: %(procedure)s).\n"
            "Lý do: %(note)s"
        ),
        sms=_("Ho so %(code)s khong duoc tiep nhan. Chi tiet xem thu dien tu hoac lien he don vi."),
    ),
    "dossier_extended": Template(
        subject=_("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s"),
        body=_(
            "Kính gửi %(name)s,\n\n%(unit)s xin lỗi vì hồ sơ %(code)s chưa giải quyết xong đúng hẹn.\n"
            "Lý do: %(note)s\nNgày hẹn trả kết quả mới: %(due)s."
        ),
        sms=_("Xin loi: ho so %(code)s chua xong dung hen. Ngay hen moi: %(due)s."),
    ),
    # Petitions and feedback (motcua.petitions, docs/petitions.md).
    "petition_received": Template(
        subject=_("Đã nhận phản ánh, kiến nghị %(code)s"),
        body=_(
            "Kính gửi %(name)s,\n\n%(unit)s đã nhận phản ánh, kiến nghị %(code)s của ông/bà lúc "
            "%(submitted)s.\nHạn trả lời: %(due)s.\nTheo dõi: %(track_url)s"
        ),
        sms=_("Da nhan phan anh %(code)s. Han tra loi: %(due)s. Theo doi: %(track_url)s"),
    ),
    "petition_answered": Template(
        subject=_("Trả lời phản ánh, kiến nghị %(code)s"),
        body=_(
            "Kính gửi %(name)s,\n\n%(unit)s trả lời phản ánh, kiến nghị %(code)s của ông/bà:\n\n%(answer)s"
            "\n\nXem trên cổng: %(track_url)s"
        ),
        sms=_("Phan anh %(code)s da duoc tra loi. Xem: %(track_url)s"),
    ),
}


def render(event: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """``(subject, body, sms)`` of ``event`` filled with ``context``."""
    template = TEMPLATES[event]
    return (
        str(template.subject) % context,
        str(template.body) % context,
        str(template.sms) % context,
    )
