"""States, channels and actions of a dossier (DOMAIN.md §4)."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    """Dossier states. ``STATUS_CODES`` maps each to the national portal's TrangThaiHoSo code."""

    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Mới đăng ký (chưa kiểm tra)"
    RECEIVED = "received", "Đã tiếp nhận"
    NOT_RECEIVED = "not_received", "Không tiếp nhận"
    PROCESSING = "processing", "Đang xử lý"
    AWAITING_SUPPLEMENT = "awaiting_supplement", "Chờ bổ sung"
    AWAITING_PAYMENT = "awaiting_payment", "Chờ thực hiện nghĩa vụ tài chính"
    WITHDRAWAL_REQUESTED = "withdrawal_requested", "Công dân yêu cầu rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"
    RESOLVED = "resolved", "Đã xử lý xong"
    RETURNED = "returned", "Đã trả kết quả"


# The national portal's status codes (TrangThaiHoSo); a draft has none: it never leaves the system.
STATUS_CODES: dict[str, int | None] = {
    Status.DRAFT: None,
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.NOT_RECEIVED: 3,
    Status.PROCESSING: 4,
    Status.AWAITING_SUPPLEMENT: 5,
    Status.AWAITING_PAYMENT: 6,
    Status.WITHDRAWAL_REQUESTED: 7,
    Status.STOPPED: 8,
    Status.RESOLVED: 9,
    Status.RETURNED: 10,
}

# States in which the dossier's clock runs (an overdue dossier is one of these with due_at in the past).
OPEN_STATES = frozenset(
    {Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT, Status.WITHDRAWAL_REQUESTED}
)
# States after which nothing happens any more (except ``return`` from resolved).
CLOSED_STATES = frozenset({Status.NOT_RECEIVED, Status.STOPPED, Status.RETURNED})


class Channel(models.IntegerChoices):
    """How the dossier was submitted (the national portal's KenhThucHien)."""

    COUNTER = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Qua bưu chính"


CHANNEL_NAMES = {"counter": Channel.COUNTER, "online": Channel.ONLINE, "post": Channel.POST}


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", "Công dân"
    ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"


class Action(models.TextChoices):
    """Lifecycle actions; the value is the kebab-case name used by the API."""

    SUBMIT = "submit", "Nộp hồ sơ"
    RECEIVE = "receive", "Tiếp nhận"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    ASSIGN = "assign", "Phân công xử lý"
    FORWARD = "forward", "Chuyển bước / chuyển đơn vị"
    COMPLETE_LEG = "complete-leg", "Hoàn thành phần việc liên thông"
    REQUEST_SUPPLEMENT = "request-supplement", "Yêu cầu bổ sung"
    SUPPLEMENT_RECEIVED = "supplement-received", "Nhận hồ sơ bổ sung"
    REQUEST_PAYMENT = "request-payment", "Yêu cầu thực hiện nghĩa vụ tài chính"
    PAYMENT_RECEIVED = "payment-received", "Đã thực hiện nghĩa vụ tài chính"
    RESOLVE = "resolve", "Hoàn thành xử lý"
    RETURN = "return", "Trả kết quả"
    REQUEST_WITHDRAWAL = "request-withdrawal", "Yêu cầu rút hồ sơ"
    ACCEPT_WITHDRAWAL = "accept-withdrawal", "Chấp nhận rút hồ sơ"
    STOP = "stop", "Dừng xử lý"
    EXTEND = "extend", "Gia hạn (xin lỗi, hẹn lại)"


class Routing(models.TextChoices):
    """How inter-agency legs of one ``forward`` run."""

    SEQUENCE = "sequence", "Tuần tự"
    PARALLEL = "parallel", "Song song"


# The pseudo-role of the applicant (the dossier's owner account) in the transition table.
APPLICANT = "applicant"
# The pseudo-role of an outside system's actor (``accounts.services.system_actor``: ``system:vnpay``, …) in the
# transition table: a callback acts under its own name, in whichever unit the dossier is, never as an officer.
# SYSTEM lets any system act; a row may instead name one system by its actor's name (``system_role("dvcqg")``).
SYSTEM = "system"


def system_role(name: str) -> str:
    """The role only the actor of system ``name`` holds (its account's username, ``system:<name>``)."""
    return f"system:{name}"
