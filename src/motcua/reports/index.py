"""Decision 766/QĐ-TTg service index: every indicator of the methodology in force, from motcua's data.

The methodology (groups, indicators, official formulas, points, thresholds, sources) is data:
``reports/data/index766.json`` read by ``reports.methodology``; the version in force on the period's last day is
used, and an administrator's ``IndicatorSetting`` (effective-dated) overrides an indicator's points or threshold.

Each indicator names a *measure*, a function here that computes its rate from motcua's tables and says how
(``computed_as``), with its inputs (``value``). A measure returns no rate when its denominator is 0 (nothing to
count: "no data", or the maximum where the methodology says so) and says ``no_data`` with a reason when motcua
has nothing that could give it (e.g. the dates of the publication decisions, which the catalog does not keep).

Score of an indicator = min(1, rate / threshold) × maximum, rounded to 0.01; an indicator without points in the
source is shown but not scored. docs/reports.md §3 lists every indicator, its measure and its sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q

from motcua.catalog.constants import OnlineMode, PublicationStatus
from motcua.catalog.models import Component, Fee, ProcedureVersion, ProcessStep
from motcua.core import clock
from motcua.documents.constants import Satisfaction
from motcua.documents.models import Rating
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import past_due_q
from motcua.identity.models import IdentityProfile
from motcua.national_portal.selectors import national_sync_indicator
from motcua.organisations.constants import Level
from motcua.organisations.models import Unit
from motcua.petitions.constants import Subject
from motcua.petitions.models import Petition
from motcua.petitions.selectors import answered_on_time
from motcua.worktime.constants import Classification

from . import methodology
from .digitisation import DigitisationCounts, digitisation_totals
from .models import IndicatorSetting
from .payment_stats import payment_indicators
from .selectors import Period, dossiers_in_window, rate, report_counts_by_unit, report_scope

NO_DATA = "no_data"
OK = "ok"

# Vietnamese labels of the inputs (``value`` keys) shown under each indicator on the 766 page.
INPUT_LABELS: dict[str, str] = {
    "resolved": "hồ sơ đã giải quyết",
    "resolved_on_time": "giải quyết trước hạn, đúng hạn",
    "in_progress": "hồ sơ đang giải quyết",
    "in_progress_within_time": "đang giải quyết trong hạn",
    "early": "giải quyết trước hạn",
    "apologised": "có phiếu xin lỗi, hẹn lại ngày trả",
    "dossiers": "hồ sơ",
    "average_days_taken": "số ngày giải quyết trung bình",
    "average_days_allowed": "số ngày theo quy định trung bình",
    "procedures": "thủ tục đang áp dụng",
    "with_online_service": "thủ tục có dịch vụ công trực tuyến",
    "online_services": "dịch vụ công trực tuyến",
    "online_services_used": "dịch vụ có hồ sơ trực tuyến trong kỳ",
    "online": "hồ sơ nộp trực tuyến",
    "new": "hồ sơ tiếp nhận mới",
    "full_online_procedures_dossiers": "hồ sơ của thủ tục toàn trình",
    "full_online_dossiers": "hồ sơ toàn trình nộp trực tuyến",
    "with_fees": "thủ tục có phí, lệ phí",
    "paid_online": "có thanh toán trực tuyến",
    "on_portal": "có dịch vụ trực tuyến, kết nối Cổng DVCQG",
    "dossiers_paid": "hồ sơ có khoản đã nộp",
    "results": "kết quả cấp trong kỳ",
    "results_digitised": "kết quả có bản điện tử",
    "results_signed": "kết quả ký số",
    "digitised_components_and_result": "số hóa thành phần và kết quả",
    "received": "hồ sơ tiếp nhận",
    "received_with_files": "hồ sơ có tệp thành phần",
    "reusing_data_store": "hồ sơ dùng lại dữ liệu từ kho",
    "components": "tệp thành phần",
    "components_reused": "tệp dùng lại từ kho",
    "with_eid": "người nộp xác thực VNeID",
    "procedures_with_eid": "thủ tục có hồ sơ xác thực VNeID",
    "complete": "thủ tục đủ bộ phận tạo thành",
    "synchronised_on_time": "hồ sơ đồng bộ đúng hạn",
    "updates": "lượt cập nhật",
    "updates_on_time": "lượt cập nhật đúng hạn",
    "petitions": "phản ánh, kiến nghị",
    "answered_on_time": "trả lời đúng hạn",
    "about_procedures": "về quy định, thủ tục hành chính",
    "about_dossiers": "về hồ sơ",
    "about_units": "về cơ quan, đơn vị",
    "unsatisfactory": "quá hạn, có phản ánh hoặc không hài lòng",
    "late_or_overdue": "giải quyết quá hạn hoặc đang quá hạn",
    "with_petition": "có phản ánh, kiến nghị",
    "rated_not_satisfied": "đánh giá không hài lòng",
    "ratings": "lượt đánh giá trong kỳ",
    "rated_satisfied": "đánh giá hài lòng, rất hài lòng",
}


@dataclass
class Measured:
    """What a measure found: the rate (``None``: nothing to count), its inputs, how it was computed, and for a
    measure motcua cannot compute the reason (``no_data``)."""

    computed_as: str
    rate: float | None = None
    value: dict[str, Any] | None = None
    no_data: str = ""  # set: motcua has nothing that gives this indicator


@dataclass
class Scope:
    """A period and a set of units (``None``: every unit), with the counts several measures share."""

    period: Period
    unit_ids: set[int] | None
    _cache: dict[str, Any] = field(default_factory=dict)

    def shared(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def counts(self) -> dict[str, int]:
        def compute() -> dict[str, int]:
            total: dict[str, int] = {}
            for unit_counts in report_counts_by_unit(self.period, self.unit_ids).values():
                for name, value in unit_counts.items():
                    total[name] = total.get(name, 0) + value
            return total

        result: dict[str, int] = self.shared("counts", compute)
        return result

    def digitisation(self) -> DigitisationCounts:
        result: DigitisationCounts = self.shared(
            "digitisation", lambda: digitisation_totals(self.period, self.unit_ids)
        )
        return result

    def payments(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.shared(
            "payments", lambda: payment_indicators(self.period, self.unit_ids)
        )
        return result

    def versions_in_force(self) -> Any:
        day = self.period.end
        qs = ProcedureVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            status=PublicationStatus.PUBLISHED,
            valid_from__lte=day,
        )
        if self.unit_ids is not None:
            qs = qs.filter(units__in=sorted(self.unit_ids))
        return qs

    def received(self) -> Any:
        """Dossiers received in the period (of the scope's units)."""
        qs = Dossier.objects.order_by().filter(
            received_at__gte=self.period.start_at, received_at__lt=self.period.end_at
        )
        if self.unit_ids is not None:
            qs = qs.filter(unit_id__in=sorted(self.unit_ids))
        return qs


def _not_kept(what: str) -> Callable[[Scope], Measured]:
    def measure(scope: Scope) -> Measured:
        return Measured(computed_as="", no_data=what)

    return measure


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # SQLite returns microseconds


# ------------------------------------------------------------------------------------------------- the measures


def procedure_information_complete(scope: Scope) -> Measured:
    rows = (
        scope.versions_in_force()
        .annotate(
            has_steps=Exists(ProcessStep.objects.filter(version_id=OuterRef("pk"))),
            has_components=Exists(Component.objects.filter(version_id=OuterRef("pk"))),
        )
        .aggregate(
            total=Count("procedure_id", distinct=True),
            complete=Count(
                "procedure_id",
                distinct=True,
                filter=Q(has_steps=True, has_components=True, time_limit_value__gt=0)
                & ~Q(name="")
                & ~Q(implementing_agency=""),
            ),
        )
    )
    return Measured(
        computed_as=(
            "Thủ tục đang áp dụng có đủ tên, trình tự (các bước), cách thức (dịch vụ trực tuyến), thành phần "
            "hồ sơ, thời hạn, cơ quan thực hiện / thủ tục đang áp dụng (ngày cuối kỳ); danh mục không lưu đối "
            "tượng thực hiện nên không kiểm tra"
        ),
        rate=rate(int(rows["complete"]), int(rows["total"])),
        value={"complete": rows["complete"], "procedures": rows["total"]},
    )


def dossier_sync(scope: Scope) -> Measured:
    unit_ids = scope.unit_ids
    if unit_ids is None:
        unit_ids = set(Unit.objects.values_list("pk", flat=True))
    sync = national_sync_indicator(unit_ids=unit_ids, start=scope.period.start_at, end=scope.period.end_at)
    return Measured(
        computed_as=(
            "Hồ sơ có thay đổi trong kỳ mà mọi cập nhật đều đến Cổng DVCQG đúng hạn / hồ sơ có thay đổi phải "
            "đồng bộ trong kỳ (national_portal, MOTCUA_DVCQG_ON_TIME_HOURS)"
        ),
        rate=rate(sync.dossiers_on_time, sync.dossiers),
        value={
            "dossiers": sync.dossiers,
            "synchronised_on_time": sync.dossiers_on_time,
            "updates": sync.updates,
            "updates_on_time": sync.sent_on_time,
        },
    )


def on_time_including_open(scope: Scope) -> Measured:
    c = scope.counts()
    resolved, late = c.get("resolved", 0), c.get("late", 0)
    in_progress, overdue = c.get("in_progress", 0), c.get("overdue", 0)
    return Measured(
        computed_as=(
            "(Hồ sơ giải quyết trong kỳ trước hạn, đúng hạn + hồ sơ đang giải quyết trong hạn cuối kỳ) / (hồ sơ "
            "giải quyết trong kỳ + hồ sơ đang giải quyết cuối kỳ); như Biểu II.06a, hồ sơ tạm dừng không quá hạn"
        ),
        rate=rate(resolved - late + in_progress - overdue, resolved + in_progress),
        value={
            "resolved": resolved,
            "resolved_on_time": resolved - late,
            "early": c.get("early", 0),
            "in_progress": in_progress,
            "in_progress_within_time": in_progress - overdue,
            # dossiers with an apology and a new appointment (Mẫu 04): still late against the statutory due
            "apologised": dossiers_in_window(scope.period, scope.unit_ids).filter(extended=True).count(),
        },
    )


def average_time(scope: Scope) -> Measured:
    qs = Dossier.objects.order_by().filter(
        finished_at__isnull=False,
        statutory_due_at__isnull=False,
        received_at__isnull=False,
        finished_at__gte=scope.period.start_at,
        finished_at__lt=scope.period.end_at,
    )
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(scope.unit_ids))
    row = qs.aggregate(
        n=Count("pk"),
        taken=Avg(ExpressionWrapper(F("finished_at") - F("received_at"), output_field=DurationField())),
        allowed=Avg(
            ExpressionWrapper(F("statutory_due_at") - F("received_at"), output_field=DurationField())
        ),
    )
    n, taken, allowed = int(row["n"]), _seconds(row["taken"]), _seconds(row["allowed"])
    return Measured(
        computed_as=(
            "min(1, thời hạn quy định trung bình / thời gian giải quyết trung bình) của hồ sơ giải quyết xong "
            "trong kỳ (tính theo thời gian lịch)"
        ),
        rate=None
        if not n or not taken or allowed is None
        else rate(min(round(allowed), round(taken)), round(taken)),
        value={
            "dossiers": n,
            "average_days_taken": None if taken is None else round(taken / 86400, 2),
            "average_days_allowed": None if allowed is None else round(allowed / 86400, 2),
        },
    )


def online_procedures(scope: Scope) -> Measured:
    row = scope.versions_in_force().aggregate(
        total=Count("procedure_id", distinct=True),
        online=Count("procedure_id", distinct=True, filter=~Q(online_mode=OnlineMode.NONE)),
    )
    return Measured(
        computed_as="Thủ tục có dịch vụ công trực tuyến (toàn trình, một phần) / thủ tục đang áp dụng (ngày cuối kỳ)",
        rate=rate(int(row["online"]), int(row["total"])),
        value={"with_online_service": row["online"], "procedures": row["total"]},
    )


def online_services_used(scope: Scope) -> Measured:
    online_dossiers = scope.received().filter(
        channel=Channel.ONLINE, procedure_version__procedure_id=OuterRef("procedure_id")
    )
    row = (
        scope.versions_in_force()
        .exclude(online_mode=OnlineMode.NONE)
        .aggregate(
            total=Count("procedure_id", distinct=True),
            used=Count("procedure_id", distinct=True, filter=Q(Exists(online_dossiers))),
        )
    )
    return Measured(
        computed_as=(
            "Thủ tục có dịch vụ công trực tuyến có ít nhất một hồ sơ nộp trực tuyến tiếp nhận trong kỳ / thủ tục "
            "có dịch vụ công trực tuyến"
        ),
        rate=rate(int(row["used"]), int(row["total"])),
        value={"online_services_used": row["used"], "online_services": row["total"]},
    )


def online_share(scope: Scope) -> Measured:
    c = scope.counts()
    new, online = c.get("new", 0), c.get("online", 0)
    return Measured(
        computed_as="Hồ sơ tiếp nhận trực tuyến / hồ sơ tiếp nhận mới trong kỳ",
        rate=rate(online, new),
        value={"online": online, "new": new},
    )


def full_online_share(scope: Scope) -> Measured:
    row = (
        scope.received()
        .filter(procedure_version__online_mode=OnlineMode.FULL)
        .aggregate(total=Count("pk"), online=Count("pk", filter=Q(channel=Channel.ONLINE)))
    )
    return Measured(
        computed_as=(
            "Hồ sơ tiếp nhận trong kỳ nộp trực tuyến của thủ tục có dịch vụ toàn trình / hồ sơ tiếp nhận trong kỳ "
            "của các thủ tục đó"
        ),
        rate=rate(int(row["online"]), int(row["total"])),
        value={"full_online_dossiers": row["online"], "full_online_procedures_dossiers": row["total"]},
    )


def fee_procedures_on_portal(scope: Scope) -> Measured:
    row = (
        scope.versions_in_force()
        .filter(Exists(Fee.objects.filter(version_id=OuterRef("pk"), amount_vnd__gt=0)))
        .aggregate(
            total=Count("procedure_id", distinct=True),
            on_portal=Count(
                "procedure_id",
                distinct=True,
                filter=Q(procedure__national_portal_connected=True) & ~Q(online_mode=OnlineMode.NONE),
            ),
        )
    )
    return Measured(
        computed_as=(
            "Thủ tục có phí, lệ phí có dịch vụ trực tuyến và kết nối Cổng DVCQG (nộp tiền qua cổng thanh toán) / "
            "thủ tục có phí, lệ phí đang áp dụng"
        ),
        rate=rate(int(row["on_portal"]), int(row["total"])),
        value={"on_portal": row["on_portal"], "with_fees": row["total"]},
    )


def fee_procedures_paid_online(scope: Scope) -> Measured:
    found = scope.payments()["3.5"]
    return Measured(
        computed_as=(
            "Thủ tục có phí, lệ phí được nộp qua cổng thanh toán trong kỳ / thủ tục có phí, lệ phí (không có khoản "
            "nộp nào trong kỳ: chưa có dữ liệu)"
        ),
        rate=found["rate"],
        value=found["value"],
    )


def dossiers_paid_online(scope: Scope) -> Measured:
    found = scope.payments()["3.6"]
    return Measured(
        computed_as="Hồ sơ nộp tiền qua cổng thanh toán / hồ sơ có khoản đã nộp trong kỳ (sổ thu)",
        rate=found["rate"],
        value=found["value"],
    )


def electronic_results(scope: Scope) -> Measured:
    d = scope.digitisation()
    return Measured(
        computed_as="Kết quả cấp trong kỳ có bản điện tử / kết quả cấp trong kỳ (sổ kết quả)",
        rate=rate(d.results_digitised, d.results),
        value={
            "results": d.results,
            "results_digitised": d.results_digitised,
            "results_signed": d.results_signed,
        },
    )


def signed_results(scope: Scope) -> Measured:
    d = scope.digitisation()
    return Measured(
        computed_as="Kết quả cấp trong kỳ có tệp kết quả ký số / kết quả cấp trong kỳ (sổ kết quả, ký số)",
        rate=rate(d.results_signed, d.results),
        value={
            "results": d.results,
            "results_digitised": d.results_digitised,
            "results_signed": d.results_signed,
        },
    )


def digitised_dossiers(scope: Scope) -> Measured:
    d = scope.digitisation()
    return Measured(
        computed_as=(
            "Kết quả cấp trong kỳ có thành phần điện tử (nộp trực tuyến, số hóa hoặc dùng lại) và kết quả số hóa "
            "/ kết quả cấp trong kỳ"
        ),
        rate=rate(d.results_complete, d.results),
        value={
            "results": d.results,
            "digitised_components_and_result": d.results_complete,
            "results_digitised": d.results_digitised,
        },
    )


def reused_data(scope: Scope) -> Measured:
    d = scope.digitisation()
    return Measured(
        computed_as="Hồ sơ tiếp nhận trong kỳ có thành phần dùng lại từ kho dữ liệu / hồ sơ có tệp thành phần",
        rate=rate(d.received_reusing, d.received_with_files),
        value={
            "received": d.received,
            "received_with_files": d.received_with_files,
            "reusing_data_store": d.received_reusing,
            "components": d.components,
            "components_reused": d.components_reused,
        },
    )


def _with_eid() -> Q:
    return Q(Exists(IdentityProfile.objects.filter(user_id=OuterRef("owner_id"))))


def _lived_in_motcua() -> Q:
    """Dossiers handled in motcua (they have events), not imported from a legacy system (which says nothing of
    the applicant's account): a period of legacy data only is "no data", never 0."""
    return Q(Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"))))


def eid_dossiers(scope: Scope) -> Measured:
    row = (
        scope.received()
        .filter(_lived_in_motcua())
        .aggregate(total=Count("pk"), eid=Count("pk", filter=_with_eid()))
    )
    return Measured(
        computed_as=(
            "Hồ sơ tiếp nhận trong kỳ có tài khoản người nộp đăng nhập bằng định danh điện tử (VNeID) / hồ sơ "
            "tiếp nhận trong kỳ (trừ hồ sơ nhập từ hệ thống cũ)"
        ),
        rate=rate(int(row["eid"]), int(row["total"])),
        value={"with_eid": row["eid"], "received": row["total"]},
    )


EID_PROCEDURES = (
    "Thủ tục đang áp dụng có hồ sơ tiếp nhận trong kỳ của người nộp xác thực VNeID / thủ tục đang áp dụng "
    "(danh mục không lưu đối tượng thực hiện nên mẫu số gồm mọi thủ tục; kỳ chỉ có hồ sơ nhập từ hệ thống cũ: "
    "chưa có dữ liệu)"
)


def eid_procedures(scope: Scope) -> Measured:
    with_eid = scope.received().filter(_with_eid(), procedure_version__procedure_id=OuterRef("procedure_id"))
    if not scope.received().filter(_lived_in_motcua()).exists():
        return Measured(computed_as=EID_PROCEDURES, value={"procedures_with_eid": 0, "procedures": 0})
    row = scope.versions_in_force().aggregate(
        total=Count("procedure_id", distinct=True),
        eid=Count("procedure_id", distinct=True, filter=Q(Exists(with_eid))),
    )
    return Measured(
        computed_as=EID_PROCEDURES,
        rate=rate(int(row["eid"]), int(row["total"])),
        value={"procedures_with_eid": row["eid"], "procedures": row["total"]},
    )


def _petitions(scope: Scope) -> Any:
    qs = Petition.objects.order_by().filter(
        submitted_at__gte=scope.period.start_at, submitted_at__lt=scope.period.end_at
    )
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=sorted(scope.unit_ids))
    return qs


def petition_classification(scope: Scope) -> Measured:
    row = _petitions(scope).aggregate(
        total=Count("pk"),
        procedure=Count("pk", filter=Q(subject=Subject.PROCEDURE)),
        dossier=Count("pk", filter=Q(subject=Subject.DOSSIER)),
        unit=Count("pk", filter=Q(subject=Subject.UNIT)),
    )
    return Measured(
        computed_as="Phản ánh, kiến nghị gửi trong kỳ về thủ tục hành chính / phản ánh, kiến nghị gửi trong kỳ",
        rate=rate(int(row["procedure"]), int(row["total"])),
        value={
            "petitions": row["total"],
            "about_procedures": row["procedure"],
            "about_dossiers": row["dossier"],
            "about_units": row["unit"],
        },
    )


def petitions_on_time(scope: Scope) -> Measured:
    on_time, total = answered_on_time(scope.period.start_at, scope.period.end_at, scope.unit_ids)
    return Measured(
        computed_as=(
            "Phản ánh, kiến nghị trả lời đúng hạn / phản ánh, kiến nghị đã trả lời hoặc đến hạn trong kỳ "
            "(docs/petitions.md)"
        ),
        rate=rate(on_time, total),
        value={"answered_on_time": on_time, "petitions": total},
    )


def dossier_satisfaction(scope: Scope) -> Measured:
    period = scope.period
    end = period.end_at
    ended_in = Q(ended__lt=end)
    still_open = Q(ended__gte=end)
    late = (ended_in & Q(classification=Classification.LATE)) | (
        still_open & past_due_q(min(end, clock.now()))
    )
    petition = Q(Exists(Petition.objects.filter(dossier_id=OuterRef("pk"))))
    dislike = Q(Exists(Rating.objects.filter(dossier_id=OuterRef("pk"), level=Satisfaction.NOT_SATISFIED)))
    row = dossiers_in_window(period, scope.unit_ids).aggregate(
        total=Count("pk"),
        bad=Count("pk", filter=late | petition | dislike),
        late=Count("pk", filter=late),
        petition=Count("pk", filter=petition),
        dislike=Count("pk", filter=dislike),
    )
    ratings = Rating.objects.filter(rated_at__gte=period.start_at, rated_at__lt=end)
    if scope.unit_ids is not None:
        ratings = ratings.filter(dossier__unit_id__in=sorted(scope.unit_ids))
    rated = ratings.aggregate(
        total=Count("pk"), satisfied=Count("pk", filter=~Q(level=Satisfaction.NOT_SATISFIED))
    )
    total = int(row["total"])
    return Measured(
        computed_as=(
            "(Hồ sơ giải quyết trong kỳ hoặc đang giải quyết − hồ sơ quá hạn, có phản ánh, kiến nghị hoặc được "
            "đánh giá không hài lòng) / hồ sơ giải quyết trong kỳ hoặc đang giải quyết"
        ),
        rate=rate(total - int(row["bad"]), total),
        value={
            "dossiers": total,
            "unsatisfactory": row["bad"],
            "late_or_overdue": row["late"],
            "with_petition": row["petition"],
            "rated_not_satisfied": row["dislike"],
            "ratings": rated["total"],
            "rated_satisfied": rated["satisfied"],
        },
    )


MEASURES: dict[str, Callable[[Scope], Measured]] = {
    "publication_on_time": _not_kept(
        "Danh mục thủ tục không lưu quyết định công bố và ngày hiệu lực của văn bản quy định."
    ),
    "publication_update_on_time": _not_kept(
        "Danh mục thủ tục không lưu ngày quyết định công bố và ngày công khai trên CSDL quốc gia về TTHC."
    ),
    "procedure_information_complete": procedure_information_complete,
    "dossier_sync": dossier_sync,
    "on_time_including_open": on_time_including_open,
    "average_time": average_time,
    "online_procedures": online_procedures,
    "online_services_used": online_services_used,
    "online_share": online_share,
    "full_online_share": full_online_share,
    "fee_procedures_on_portal": fee_procedures_on_portal,
    "fee_procedures_paid_online": fee_procedures_paid_online,
    "dossiers_paid_online": dossiers_paid_online,
    "electronic_results": electronic_results,
    "signed_results": signed_results,
    "digitised_dossiers": digitised_dossiers,
    "reused_data": reused_data,
    "national_store_reuse": _not_kept(
        "Kho dữ liệu của motcua không phải kho dữ liệu cá nhân trên Cổng DVCQG; không ghi nhận thành phần lấy "
        "từ Cổng DVCQG hay kết quả đồng bộ lên danh mục hồ sơ của cá nhân."
    ),
    "eid_procedures": eid_procedures,
    "eid_dossiers": eid_dossiers,
    "electronic_certified_copies": _not_kept(
        "Danh mục không đánh dấu dịch vụ chứng thực bản sao điện tử từ bản chính của từng xã."
    ),
    "petition_classification": petition_classification,
    "petitions_on_time": petitions_on_time,
    "petition_satisfaction": _not_kept(
        "Người gửi phản ánh, kiến nghị chưa đánh giá được câu trả lời (không có lượt hài lòng, không hài lòng)."
    ),
    "dossier_satisfaction": dossier_satisfaction,
    "simplification_satisfaction": _not_kept("Không có khảo sát về kết quả cắt giảm, đơn giản hóa TTHC."),
}


# ------------------------------------------------------------------------------------------------- the scoring


def indicator_settings(as_of: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
    """``code -> (points, threshold)`` of the administrators' overrides in force on ``as_of`` (latest row not
    after it); an indicator without one keeps the methodology's values."""
    result: dict[str, tuple[Decimal, Decimal]] = {}
    for setting in IndicatorSetting.objects.filter(valid_from__lte=as_of).order_by("code", "-valid_from"):
        result.setdefault(setting.code, (setting.weight, setting.threshold))
    return result


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _score(maximum: Decimal, threshold: Decimal, value_rate: float) -> float:
    fraction = min(Decimal(1), Decimal(str(value_rate)) / threshold)
    return float((fraction * maximum).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _entry(
    indicator: methodology.Indicator, measured: Measured, override: tuple[Decimal, Decimal] | None
) -> dict[str, Any]:
    maximum, threshold = (indicator.maximum, indicator.threshold) if override is None else override
    entry: dict[str, Any] = {
        "code": indicator.code,
        "group": indicator.group,
        "name": indicator.name,
        "formula": measured.computed_as,
        "official_formula": indicator.formula,
        "weight": _number(maximum),
        "threshold": float(threshold),
        "scored": maximum is not None and maximum > 0,
        "status": NO_DATA,
        "rate": measured.rate,
        "score": None,
        "value": measured.value,
        "inputs": [
            {"key": key, "label": INPUT_LABELS.get(key, key), "value": value}
            for key, value in (measured.value or {}).items()
        ],
        "no_data_reason": measured.no_data,
        "empty_full": False,
        "source": list(indicator.source),
        "verified": indicator.verified and override is None,
        "overridden": override is not None,
        "note": indicator.note,
    }
    if measured.no_data:
        return entry
    if measured.rate is not None:
        entry["status"] = OK
        if maximum is not None:
            entry["score"] = _score(maximum, threshold, measured.rate)
    elif indicator.when_empty == methodology.EMPTY_FULL and maximum is not None:
        # the portal's rule for petitions: nothing to count earns the maximum
        entry["status"] = OK
        entry["empty_full"] = True
        entry["score"] = float(maximum)
    return entry


def _compute(
    version: methodology.Version, scope: Scope, overrides: dict[str, tuple[Decimal, Decimal]]
) -> dict[str, Any]:
    indicators = []
    for indicator in version.indicators:
        measured = MEASURES[indicator.measure](scope)
        indicators.append(_entry(indicator, measured, overrides.get(indicator.code)))
    groups: list[dict[str, Any]] = []
    for group in version.groups:
        members = [i for i in indicators if i["group"] == group.number]
        available = [i for i in members if i["status"] == OK and i["weight"] is not None]
        groups.append(
            {
                "group": group.number,
                "code": group.code,
                "name": group.name,
                "maximum": float(group.maximum),
                "score": float(round(sum(i["score"] for i in available), 2)),
                "available_weight": float(round(sum(i["weight"] for i in available), 2)),
                "source": list(group.source),
                "verified": group.verified,
                "note": group.note,
            }
        )
    return {
        "indicators": indicators,
        "groups": groups,
        "score": float(round(sum(g["score"] for g in groups), 2)),
        "available_weight": float(round(sum(g["available_weight"] for g in groups), 2)),
        "maximum": float(version.maximum),
    }


def _version_block(version: methodology.Version) -> dict[str, Any]:
    return {
        "id": version.id,
        "title": version.title,
        "effective_from": version.effective_from.isoformat(),
        "effective_from_verified": version.effective_from_verified,
        "effective_from_note": version.effective_from_note,
        "source": list(version.effective_from_source),
    }


def service_index(
    *,
    date_from: dt.date,
    date_to: dt.date,
    unit_code: str | None = None,
    unit_as_of: dt.date | None = None,
    by: str | None = None,
) -> dict[str, Any]:
    """The Decision 766 index of ``unit_code`` (with its sub-units; every unit when empty) for a period
    (``unit_as_of``: the day the code is read at, as in ``report_scope``), under the methodology version in
    force on the period's last day. ``by="level"``: also ``rows``, the index of the scope's units of each level
    (province, department, district, commune); ``by="unit"``: of each unit directly below (each with its own
    sub-units; the top units without a code)."""
    period = Period(date_from, date_to)
    unit, unit_ids = report_scope(unit_code, period, unit_as_of)
    version = methodology.version_on(period.end)
    overrides = indicator_settings(period.end)
    result: dict[str, Any] = {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "unit": None if unit is None else unit.code,
        "version": _version_block(version),
        **_compute(version, Scope(period, unit_ids), overrides),
    }
    if by is not None:
        result["by"] = by
        result["rows"] = [
            {
                "key": key,
                "name": name,
                **{
                    k: v
                    for k, v in _compute(version, Scope(period, ids), overrides).items()
                    if k in {"score", "available_weight", "maximum", "groups", "indicators"}
                },
            }
            for key, name, ids in _breakdown(by, unit, unit_ids, period)
        ]
    return result


def _breakdown(
    by: str, unit: Unit | None, unit_ids: set[int] | None, period: Period
) -> Iterable[tuple[str, str, set[int]]]:
    units = Unit.objects.all() if unit_ids is None else Unit.objects.filter(pk__in=sorted(unit_ids))
    if by == "level":
        ids_by_level: dict[str, set[int]] = {}
        for pk, level in units.values_list("pk", "level"):
            ids_by_level.setdefault(level, set()).add(pk)
        for level in Level:
            if level.value in ids_by_level:
                yield level.value, str(level.label), ids_by_level[level.value]
        return
    parent_of = dict(Unit.objects.values_list("pk", "parent_id"))
    tops = [
        u
        for u in units.order_by("code")
        if (unit is None and u.parent_id is None) or (unit is not None and u.parent_id == unit.pk)
    ]
    tops = [
        u
        for u in tops
        if (u.valid_from is None or u.valid_from <= period.end)
        and (u.valid_to is None or u.valid_to >= period.start)
    ]
    for top in tops:
        ids = {top.pk}
        for pk in parent_of:
            ancestor = parent_of.get(pk)
            while ancestor is not None:
                if ancestor == top.pk:
                    ids.add(pk)
                    break
                ancestor = parent_of.get(ancestor)
        yield top.code, top.name, ids
