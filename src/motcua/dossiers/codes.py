"""Dossier codes: a template per unit, a sequence restarting daily per prefix (DOMAIN.md §4).

Default template ``{agency_code}-{yymmdd}-{seq:04}`` (Circular 01/2018 Art. 19), e.g.
``000.00.14.H56-200203-0118``. Codes are unique and never reused: the number comes from a ``CodeSequence``
row incremented under a row lock, so concurrent receipts on PostgreSQL never share one. Counter intake takes
it in a short transaction of its own (a failure afterwards leaves a gap, DOMAIN.md allows it).
"""

from __future__ import annotations

import datetime as dt
import string

from django.conf import settings
from django.db import connection
from django.db.models import F, Q

from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.core.refcache import refcache_get
from motcua.organisations.models import Unit

from .models import CodeFormat, CodeSequence

DEFAULT_TEMPLATE = "{agency_code}-{yymmdd}-{seq:04}"
_PLACEHOLDERS = {"agency_code", "unit_code", "yymmdd", "yyyymmdd", "seq"}


def validate_template(template: str) -> None:
    """Raise ``ValidationFailed`` unless ``template`` uses only known placeholders and has ``{seq}``."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ValidationFailed(f"Mẫu mã hồ sơ không hợp lệ: {exc}", code="invalid_code_template") from exc
    unknown = names - _PLACEHOLDERS
    if unknown or "seq" not in names:
        raise ValidationFailed(
            "Mẫu mã hồ sơ phải có {seq} và chỉ dùng {agency_code}, {unit_code}, {yymmdd}, {yyyymmdd}.",
            code="invalid_code_template",
            details={"unknown": sorted(unknown)},
        )


def code_template_for(unit: Unit, *, as_of: dt.date) -> str:
    """The template in force for ``unit`` on ``as_of``: the unit's own, else the default row, else settings."""
    rows = (
        CodeFormat.objects.filter(Q(unit=unit) | Q(unit__isnull=True), valid_from__lte=as_of)
        .order_by(F("unit_id").desc(nulls_last=True), "-valid_from")
        .values_list("template", flat=True)
    )
    template = rows.first()
    return str(template or getattr(settings, "MOTCUA_DOSSIER_CODE_TEMPLATE", DEFAULT_TEMPLATE))


def next_number(*, prefix: str, day: dt.date) -> int:
    """The next number for ``prefix`` on ``day`` (1, 2, …), safe under concurrency.

    In the caller's transaction the row stays locked until it commits, so a rolled-back receipt gives its
    number back and no number is ever issued twice; outside one (autocommit) the statement is its own
    transaction (counter intake, ``dossier_intake_counter``): the lock lasts one statement and the number is
    spent even if what follows fails.
    """
    # One upsert (PostgreSQL; SQLite >= 3.35): the row is created at 1 or incremented, and stays locked.
    # Django's ``bulk_create(update_conflicts=...)`` cannot return the incremented value, hence raw SQL.
    qn = connection.ops.quote_name
    table = qn(CodeSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({qn('prefix')}, {qn('day')}, {qn('last')}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({qn('prefix')}, {qn('day')}) DO UPDATE SET {qn('last')} = {table}.{qn('last')} + 1 "
        f"RETURNING {qn('last')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def dossier_code_issue(*, unit: Unit, at: dt.datetime) -> str:
    """Render a new code for ``unit`` at instant ``at`` (the day is taken in Vietnam)."""
    day = at.astimezone(clock.VN_TZ).date()
    template = refcache_get(("code_template", unit.pk, day), lambda: code_template_for(unit, as_of=day))
    validate_template(template)
    values = {
        "agency_code": unit.agency_code or unit.code,
        "unit_code": unit.code,
        "yymmdd": f"{day:%y%m%d}",
        "yyyymmdd": f"{day:%Y%m%d}",
    }
    # The prefix is the template rendered without the sequence: the sequence restarts per prefix and day.
    marker = "\x00SEQ\x00"
    formatter = string.Formatter()
    parts = []
    for literal, name, spec, conversion in formatter.parse(template):
        parts.append(literal)
        if name is None:
            continue
        if name == "seq":
            parts.append(marker)
        else:
            parts.append(
                formatter.format_field(formatter.convert_field(values[name], conversion), spec or "")
            )
    rendered = "".join(parts)
    prefix = rendered.replace(marker, "#")
    number = next_number(prefix=prefix, day=day)
    seq_spec = next((spec for _, name, spec, _ in formatter.parse(template) if name == "seq"), "")
    return rendered.replace(marker, format(number, seq_spec or ""))
