"""Digitisation statistics (issue 14, item 5): per unit and month, and Decision 766 indicators 4.2 and 4.3.

Definitions (docs/reports.md, "Digitisation"), a period being the reports' ``Period`` (Vietnamese days):

- **digitised at intake**: of the dossiers received at the counter or by post in the period, those with at least
  one component digitised at the counter (``Upload.digitised``);
- **results digitised**: of the results issued in the period (results register, ``ResultRecord.issued_at``),
  those with an electronic copy (``ResultRecord.digitised``);
- **results signed digitally**: of those results, the ones whose dossier has a signed result file
  (``signatures.SignatureRequest`` of kind ``result``, state ``signed``);
- **components re-used**: of the component files of the dossiers received in the period (submitted online,
  digitised at the counter, re-used), those taken from the citizen's data store (``Upload.reused_from``).

Decision 766: **4.2** (digitised dossiers, components and result) = results issued in the period whose dossier's
components are electronic (submitted online, or at least one digitised at the counter or re-used) *and* whose
result is digitised / results issued in the period; **4.3** (re-used data) = dossiers received in the period
with at least one component re-used from the data store / dossiers received in the period with at least one
component file. Dossiers imported from a legacy system have neither register entries nor files: a period of
legacy data only is "no data" for both, never 0.

Three grouped queries whatever the number of units and months (``digitisation_counts``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth

from motcua.core.clock import VN_TZ
from motcua.documents.constants import UploadPurpose
from motcua.documents.models import ResultRecord, Upload
from motcua.dossiers.constants import Channel
from motcua.dossiers.models import Dossier
from motcua.organisations.models import Unit
from motcua.signatures.constants import DocumentKind, RequestState
from motcua.signatures.models import SignatureRequest

from .selectors import Period, month_periods, rate, report_scope

# Component files: what the applicant handed in (online, at the counter, or from the store); not supplements.
COMPONENT_PURPOSES = (UploadPurpose.SUBMISSION, UploadPurpose.COUNTER)


@dataclass(frozen=True)
class DigitisationCounts:
    """The counts behind the four shares (and 766 indicators 4.2 and 4.3) of one unit and period."""

    received: int = 0  # dossiers received in the period
    received_with_files: int = 0  # of those, with at least one component file (online, scanned or re-used)
    received_reusing: int = 0  # of those, with at least one component re-used from the data store
    counter_received: int = 0  # dossiers received at the counter or by post in the period
    counter_digitised: int = 0  # of those, with at least one component digitised at the counter
    results: int = 0  # results issued in the period (results register)
    results_digitised: int = 0  # of those, with an electronic copy
    results_signed: int = 0  # of those, with a digitally signed result file
    results_complete: int = 0  # of those, digitised result and electronic components (766 indicator 4.2)
    components: int = 0  # component files of the dossiers received in the period
    components_reused: int = 0  # of those, re-used from the data store

    def __add__(self, other: DigitisationCounts) -> DigitisationCounts:
        return DigitisationCounts(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def intake_rate(self) -> float | None:
        return rate(self.counter_digitised, self.counter_received)

    @property
    def results_digitised_rate(self) -> float | None:
        return rate(self.results_digitised, self.results)

    @property
    def results_signed_rate(self) -> float | None:
        return rate(self.results_signed, self.results)

    @property
    def reuse_rate(self) -> float | None:
        return rate(self.components_reused, self.components)

    def as_dict(self) -> dict[str, Any]:
        return {
            **{f.name: getattr(self, f.name) for f in fields(self)},
            "intake_rate": self.intake_rate,
            "results_digitised_rate": self.results_digitised_rate,
            "results_signed_rate": self.results_signed_rate,
            "reuse_rate": self.reuse_rate,
        }


@dataclass(frozen=True)
class DigitisationRow:
    unit: Unit
    month: dt.date  # the first day of the month (Vietnam)
    counts: DigitisationCounts


Key = tuple[int, dt.date]


def _month(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.astimezone(VN_TZ).date()
    return value.replace(day=1)


def digitisation_counts(
    period: Period, unit_ids: Iterable[int] | None = None
) -> dict[Key, DigitisationCounts]:
    """``(unit id, first day of the month) -> counts`` for ``period`` and the units ``unit_ids`` (all: None)."""
    ids = None if unit_ids is None else sorted(unit_ids)
    digitised = Upload.objects.filter(dossier_id=OuterRef("pk"), digitised=True)
    reused = Upload.objects.filter(dossier_id=OuterRef("pk"), reused_from__isnull=False)
    with_files = Upload.objects.filter(
        dossier_id=OuterRef("pk"), purpose__in=COMPONENT_PURPOSES, component__isnull=False
    )
    paper = ~Q(channel=Channel.ONLINE)

    dossiers = Dossier.objects.order_by().filter(
        received_at__gte=period.start_at, received_at__lt=period.end_at
    )
    if ids is not None:
        dossiers = dossiers.filter(unit_id__in=ids)
    values: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in (
        dossiers.annotate(month=TruncMonth("received_at", tzinfo=VN_TZ))
        .values("unit_id", "month")
        .annotate(
            received=Count("pk"),
            received_with_files=Count("pk", filter=Q(Exists(with_files))),
            received_reusing=Count("pk", filter=Q(Exists(reused))),
            counter_received=Count("pk", filter=paper),
            counter_digitised=Count("pk", filter=paper & Q(Exists(digitised))),
        )
    ):
        values[(row["unit_id"], _month(row["month"]))].update(
            {
                k: row[k]
                for k in (
                    "received",
                    "received_with_files",
                    "received_reusing",
                    "counter_received",
                    "counter_digitised",
                )
            }
        )

    uploads = Upload.objects.order_by().filter(
        purpose__in=COMPONENT_PURPOSES,
        component__isnull=False,
        dossier__received_at__gte=period.start_at,
        dossier__received_at__lt=period.end_at,
    )
    if ids is not None:
        uploads = uploads.filter(dossier__unit_id__in=ids)
    for files_row in (
        uploads.annotate(month=TruncMonth("dossier__received_at", tzinfo=VN_TZ))
        .values("dossier__unit_id", "month")
        .annotate(components=Count("pk"), components_reused=Count("pk", filter=Q(reused_from__isnull=False)))
    ):
        values[(files_row["dossier__unit_id"], _month(files_row["month"]))].update(
            components=files_row["components"], components_reused=files_row["components_reused"]
        )

    signed = SignatureRequest.objects.filter(
        dossier_id=OuterRef("dossier_id"), kind=DocumentKind.RESULT, state=RequestState.SIGNED
    )
    electronic_components = Upload.objects.filter(dossier_id=OuterRef("dossier_id")).filter(
        Q(digitised=True) | Q(reused_from__isnull=False)
    )
    records = ResultRecord.objects.order_by().filter(
        issued_at__gte=period.start_at, issued_at__lt=period.end_at
    )
    if ids is not None:
        records = records.filter(dossier__unit_id__in=ids)
    for record_row in (
        records.annotate(month=TruncMonth("issued_at", tzinfo=VN_TZ))
        .values("dossier__unit_id", "month")
        .annotate(
            results=Count("pk"),
            results_digitised=Count("pk", filter=Q(digitised=True)),
            results_signed=Count("pk", filter=Q(Exists(signed))),
            results_complete=Count(
                "pk",
                filter=Q(digitised=True)
                & (Q(dossier__channel=Channel.ONLINE) | Q(Exists(electronic_components))),
            ),
        )
    ):
        values[(record_row["dossier__unit_id"], _month(record_row["month"]))].update(
            {k: record_row[k] for k in ("results", "results_digitised", "results_signed", "results_complete")}
        )
    return {key: DigitisationCounts(**counts) for key, counts in values.items()}


def digitisation_totals(period: Period, unit_ids: Iterable[int] | None = None) -> DigitisationCounts:
    """The counts of ``period`` summed over units and months (the dashboard's panel, the 766 indicators)."""
    total = DigitisationCounts()
    for counts in digitisation_counts(period, unit_ids).values():
        total = total + counts
    return total


def digitisation_statistics(
    *, date_from: dt.date, date_to: dt.date, unit_code: str | None = None
) -> list[DigitisationRow]:
    """Per unit (the unit ``unit_code`` and those below it; every unit without a code) and calendar month of
    ``[date_from, date_to]``: the digitisation counts and shares. Rows with nothing to count are left out."""
    period = Period(date_from, date_to)
    _, unit_ids = report_scope(unit_code, period)
    counts = digitisation_counts(period, unit_ids)
    units = Unit.objects.in_bulk({unit_id for unit_id, _month in counts})
    months = [p.start.replace(day=1) for p in month_periods(date_from, date_to)]
    rows = []
    for unit in sorted(units.values(), key=lambda u: (u.code, u.pk)):
        for month in months:
            row_counts = counts.get((unit.pk, month))
            if row_counts is not None:
                rows.append(DigitisationRow(unit=unit, month=month, counts=row_counts))
    return rows


def digitisation_indicators(
    period: Period, unit_ids: Iterable[int] | None = None
) -> dict[str, dict[str, Any]]:
    """Decision 766 indicators 4.2 and 4.3 as ``reports.index`` takes them: ``{code: {"rate", "value"}}``."""
    total = digitisation_totals(period, unit_ids)
    return {
        "4.2": {
            "rate": rate(total.results_complete, total.results),
            "value": {
                "results": total.results,
                "digitised_components_and_result": total.results_complete,
                "results_digitised": total.results_digitised,
                "results_signed": total.results_signed,
            },
        },
        "4.3": {
            "rate": rate(total.received_reusing, total.received_with_files),
            "value": {
                "received": total.received,
                "received_with_files": total.received_with_files,
                "reusing_data_store": total.received_reusing,
                "components": total.components,
                "components_reused": total.components_reused,
            },
        },
    }
