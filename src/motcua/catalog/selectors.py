"""Read-side queries of the catalog (ARCHITECTURE.md: selectors for reads)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from motcua.core import clock, formatting
from motcua.core.collation import vi_collate
from motcua.core.errors import NotFound
from motcua.core.text import fold, vi_sort_key

from .constants import PublicationStatus
from .models import Component, Fee, Field, Procedure, ProcedureVersion, ProcessStep


def _in_force_q(as_of: dt.date, prefix: str = "") -> Q:
    """Published and valid on ``as_of`` (valid_to inclusive)."""
    return (
        Q(**{f"{prefix}status": PublicationStatus.PUBLISHED})
        & Q(**{f"{prefix}valid_from__lte": as_of})
        & (Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": as_of}))
    )


def versions_in_force(*, as_of: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """All published versions valid on ``as_of`` (default today)."""
    day = as_of or clock.today()
    return ProcedureVersion.objects.filter(_in_force_q(day))


def procedure_search(
    *,
    q: str = "",
    field: str | None = None,
    level: str | None = None,
    online: str | None = None,
    as_of: dt.date | None = None,
    by_name: bool = False,
) -> QuerySet[Procedure]:
    """Procedures with a published version in force on ``as_of`` (default today), filtered; by code, or in
    Vietnamese order of their names (``by_name``: the portal's list).

    ``q`` is accent-insensitive: every folded word must occur in ``search_text`` (code + name + field).
    ``field`` is a field code; ``level`` and ``online`` filter the version in force. Each procedure carries
    ``current_versions`` (a list with the version in force, fees and units prefetched) and ``field``.
    """
    day = as_of or clock.today()
    version_filter = _in_force_q(day)
    if level:
        version_filter &= Q(level=level)
    if online:
        version_filter &= Q(online_mode=online)
    qs = Procedure.objects.filter(
        pk__in=ProcedureVersion.objects.filter(version_filter).values("procedure_id")
    ).select_related("field")
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    if field:
        qs = qs.filter(field__code=field)
    current = (
        ProcedureVersion.objects.filter(version_filter)
        .order_by("-valid_from", "-version")
        .prefetch_related(
            Prefetch("fees", queryset=Fee.objects.order_by("order")),
        )
    )
    order = (vi_collate("name"), "code") if by_name else ("code",)
    return qs.prefetch_related(Prefetch("versions", queryset=current, to_attr="current_versions")).order_by(
        *order
    )


def procedure_get(code: str, *, as_of: dt.date | None = None) -> Procedure:
    """The procedure with ``code`` that has a published version in force on ``as_of``; else ``NotFound``."""
    day = as_of or clock.today()
    if not code or len(code) > 32 or "\x00" in code:  # no such code can exist (and NUL breaks PostgreSQL)
        raise NotFound(f"Không tìm thấy thủ tục {code[:40]!r}.")
    procedure = (
        Procedure.objects.select_related("field")
        .filter(code=code, pk__in=ProcedureVersion.objects.filter(_in_force_q(day)).values("procedure_id"))
        .first()
    )
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục {code} có hiệu lực vào ngày {formatting.day(day)}.")
    return procedure


VERSION_PREFETCH = ("components", "fees", "steps", "units")


def _version_prefetches(names: tuple[str, ...]) -> list[str | Prefetch]:
    ordered = {
        "components": Prefetch("components", queryset=Component.objects.order_by("order")),
        "fees": Prefetch("fees", queryset=Fee.objects.order_by("order")),
        "steps": Prefetch("steps", queryset=ProcessStep.objects.order_by("order")),
    }
    return [ordered.get(name, name) for name in names]


def procedure_version_in_force(
    procedure: Procedure, *, as_of: dt.date | None = None, prefetch: tuple[str, ...] = VERSION_PREFETCH
) -> ProcedureVersion:
    """The published version of ``procedure`` valid on ``as_of`` with components, fees, steps and units.

    ``prefetch`` names the relations to load with it (a subset of ``VERSION_PREFETCH``; default all).
    """
    day = as_of or clock.today()
    version = (
        ProcedureVersion.objects.filter(_in_force_q(day), procedure=procedure)
        .select_related("procedure__field")
        .prefetch_related(*_version_prefetches(prefetch))
        .order_by("-valid_from", "-version")
        .first()
    )
    if version is None:
        raise NotFound(
            f"Thủ tục {procedure.code} không có phiên bản có hiệu lực vào ngày {formatting.day(day)}."
        )
    return version


def procedure_version_by_code(
    code: str, *, as_of: dt.date | None = None, prefetch: tuple[str, ...] = VERSION_PREFETCH
) -> ProcedureVersion:
    """``procedure_version_in_force(procedure_get(code))`` in one query (plus the prefetches), same errors."""
    day = as_of or clock.today()
    version = None
    if code and len(code) <= 32 and "\x00" not in code:
        version = (
            ProcedureVersion.objects.filter(_in_force_q(day), procedure__code=code)
            .select_related("procedure__field")
            .prefetch_related(*_version_prefetches(prefetch))
            .order_by("-valid_from", "-version")
            .first()
        )
    if version is None:  # the error of the two-step lookup
        return procedure_version_in_force(procedure_get(code, as_of=day), as_of=day, prefetch=prefetch)
    return version


def version_overlapping(
    *,
    procedure: Procedure,
    valid_from: dt.date,
    valid_to: dt.date | None,
    exclude_pk: int | None = None,
) -> ProcedureVersion | None:
    """A non-draft version of ``procedure`` whose period meets [valid_from, valid_to], if any."""
    qs = ProcedureVersion.objects.filter(procedure=procedure).exclude(status=PublicationStatus.DRAFT)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        qs = qs.filter(valid_from__lte=valid_to)
    return qs.order_by("version").first()


def fields_list() -> list[Field]:
    """All fields (lĩnh vực) in Vietnamese alphabetical order (đ after d, ă after a: ``core.text.vi_sort_key``)."""
    return sorted(Field.objects.all(), key=lambda f: vi_sort_key(f.name))
