"""Reading the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from django.db.models import QuerySet

from .chain import entry_digest, genesis_hash, link_hash
from .models import AuditChainHead, AuditEntry

CHAIN_FIELDS = ("actor", "actor_repr", "action", "object_type", "object_id", "at", "data")


def audit_entries_for(*, object_type: str, object_id: str | int) -> QuerySet[AuditEntry]:
    """The entries of one object, oldest first."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("at", "pk")


@dataclass(frozen=True)
class ChainBreak:
    """The first place a day's chain does not hold: which entry (if any), and what differs."""

    day: dt.date
    entry_id: int | None
    seq: int | None
    problem: str  # Vietnamese, for the operator
    expected: str = ""
    found: str = ""


@dataclass(frozen=True)
class DayChain:
    day: dt.date
    entries: int
    last_hash: str
    broken: ChainBreak | None = None


@dataclass(frozen=True)
class AuditVerification:
    days: list[DayChain] = field(default_factory=list)

    @property
    def breaks(self) -> list[ChainBreak]:
        return [day.broken for day in self.days if day.broken is not None]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def entries(self) -> int:
        return sum(day.entries for day in self.days)


def _broken_at(
    day: dt.date,
    count: int,
    last_hash: str,
    entry: AuditEntry,
    problem: str,
    expected: str = "",
    found: str = "",
) -> DayChain:
    return DayChain(day, count, last_hash, ChainBreak(day, entry.pk, entry.seq, problem, expected, found))


def _verify_day(day: dt.date, head: AuditChainHead | None, using: str) -> DayChain:
    expected_seq, last_hash, count = 1, genesis_hash(day), 0
    entries = (
        AuditEntry.objects.using(using)
        .filter(chain_day=day)
        .order_by("seq")
        .only("chain_day", "seq", "prev_hash", "hash", *CHAIN_FIELDS)
    )
    for entry in entries.iterator(chunk_size=2000):
        count += 1
        broken = partial(_broken_at, day, count, last_hash, entry)

        if entry.seq != expected_seq:
            return broken(
                f"thiếu bản ghi số {expected_seq}"
                + (f"–{entry.seq - 1}" if entry.seq - 1 > expected_seq else "")
                + " của chuỗi trước bản ghi này (đã bị xóa)",
                str(expected_seq),
                str(entry.seq),
            )
        if entry.prev_hash != last_hash:
            return broken(
                "mã băm bản ghi trước không khớp bản ghi liền trước (chuỗi bị đứt)",
                last_hash,
                entry.prev_hash,
            )
        computed = link_hash(entry.prev_hash, entry_digest(entry))
        if computed != entry.hash:
            return broken(
                "nội dung bản ghi không khớp mã băm của nó (người thực hiện, thao tác, đối tượng, thời điểm "
                "hoặc dữ liệu đã bị sửa)",
                computed,
                entry.hash,
            )
        expected_seq, last_hash = entry.seq + 1, entry.hash
    if head is None:
        return DayChain(day, count, last_hash, ChainBreak(day, None, None, "mất đầu chuỗi của ngày (bị xóa)"))
    if (head.count, head.last_hash) != (count, last_hash):
        return DayChain(
            day,
            count,
            last_hash,
            ChainBreak(
                day,
                None,
                head.count,
                f"cuối chuỗi không khớp đầu chuỗi: đầu chuỗi ghi {head.count} bản ghi, còn {count} "
                "(bản ghi cuối đã bị xóa hoặc sửa)",
                f"{head.count} {head.last_hash}",
                f"{count} {last_hash}",
            ),
        )
    return DayChain(day, count, last_hash)


def audit_verify(
    *, since: dt.date | None = None, until: dt.date | None = None, using: str = "default"
) -> AuditVerification:
    """Check the hash chain of every day from ``since`` to ``until`` (Vietnam days, both included).

    For each day: the entries' positions run 1, 2, ... without a gap, each entry's ``prev_hash`` is the
    previous entry's hash (the day's genesis hash for the first), each entry's hash is recomputed from its
    fields, and the last one is the day's chain head. Reports the first break of each day.
    """
    heads_qs = AuditChainHead.objects.using(using).all()
    days_qs = AuditEntry.objects.using(using).all()
    if since is not None:
        heads_qs, days_qs = heads_qs.filter(day__gte=since), days_qs.filter(chain_day__gte=since)
    if until is not None:
        heads_qs, days_qs = heads_qs.filter(day__lte=until), days_qs.filter(chain_day__lte=until)
    heads = {head.day: head for head in heads_qs}
    days = sorted(set(heads) | set(days_qs.order_by().values_list("chain_day", flat=True).distinct()))
    return AuditVerification(days=[_verify_day(day, heads.get(day), using) for day in days])
