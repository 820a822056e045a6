"""``motcua deadline``, ``motcua calendar`` and ``motcua import-calendar-overrides`` through call_command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.worktime.models import CalendarOverride
from motcua.worktime.services import calendar_override_create

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    command_stdin = io.StringIO(stdin) if stdin is not None else None
    kwargs = {"stdin": command_stdin} if command_stdin is not None else {}
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def fails(*args: str, stdin: str | None = None) -> CommandError:
    with pytest.raises(CommandError) as failed:
        run(*args, stdin=stdin)
    assert failed.value.returncode == 2
    return failed.value


def test_deadline_prints_only_the_iso_due() -> None:
    out, _ = run("deadline", "--received", "2023-01-19T10:00", "--limit", "3", "--unit", "days")
    assert out == "2023-01-31T10:00:00+07:00\n"


def test_deadline_defaults_to_days_and_accepts_aware_input() -> None:
    out, _ = run("deadline", "--received", "2023-03-13T03:00:00Z", "--limit", "3")
    assert out.strip() == "2023-03-16T10:00:00+07:00"


def test_deadline_same_day_with_cutoff() -> None:
    args = ["deadline", "--received", "2023-03-13T15:30", "--limit", "0", "--unit", "same_day"]
    assert run(*args)[0].strip() == "2023-03-14T17:00:00+07:00"
    assert run(*args, "--cutoff", "16:00")[0].strip() == "2023-03-13T17:00:00+07:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "19/01/2023", "--limit", "3"], "Thời điểm tiếp nhận không hợp lệ"),
        (["--received", "2023-01-19T10:00", "--limit", "-1"], "không được âm"),
        (["--received", "2023-01-19T10:00", "--limit", "x"], "Thời hạn không hợp lệ"),
        (["--received", "2023-01-19T10:00", "--limit", "1", "--unit", "weeks"], "Đơn vị thời hạn"),
        (
            ["--received", "2023-01-19T10:00", "--limit", "0", "--unit", "same_day", "--cutoff", "3pm"],
            "Giờ chốt",
        ),
        (["--limit", "1"], "Cần --received"),
    ],
)
def test_deadline_bad_input_exits_2(args: list[str], message: str) -> None:
    assert message in str(fails("deadline", *args))


def test_batch_from_a_file_keeps_order(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "received,limit,unit\n2023-03-13T10:00,3,days\n2023-03-13T16:00,0,same_day\n2023-03-13T17:00,1,hours\n",
        encoding="utf-8",
    )
    out, _ = run("deadline", "--batch", str(source))
    assert out.splitlines() == [
        "received,limit,unit,due",
        "2023-03-13T10:00,3,days,2023-03-16T10:00:00+07:00",
        "2023-03-13T16:00,0,same_day,2023-03-14T17:00:00+07:00",
        "2023-03-13T17:00,1,hours,2023-03-14T09:00:00+07:00",
    ]


def test_batch_from_stdin_with_cutoff() -> None:
    out, _ = run(
        "deadline",
        "--batch",
        "-",
        "--cutoff",
        "16:00",
        stdin="received,limit,unit\n2023-03-13T15:30,0,same_day\n",
    )
    assert out.splitlines()[1] == "2023-03-13T15:30,0,same_day,2023-03-13T17:00:00+07:00"


def test_batch_names_every_bad_row_and_writes_nothing() -> None:
    out, err = io.StringIO(), io.StringIO()
    data = "received,limit,unit\n2023-03-13T10:00,3,days\nnot-a-date,3,days\n2023-03-13T10:00,3,fortnights\n"
    with pytest.raises(CommandError) as failed:
        call_command("deadline", "--batch", "-", stdin=io.StringIO(data), stdout=out, stderr=err)
    assert failed.value.returncode == 2
    assert out.getvalue() == ""
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("dòng 3: Thời điểm tiếp nhận không hợp lệ: 'not-a-date'")
    assert lines[1].startswith("dòng 4: Đơn vị thời hạn không hợp lệ: 'fortnights'")


def test_batch_needs_the_header_and_a_readable_file(tmp_path: Path) -> None:
    assert "thiếu cột unit" in str(fails("deadline", "--batch", "-", stdin="received,limit\n2023-03-13,1\n"))
    assert "Không đọc được" in str(fails("deadline", "--batch", str(tmp_path / "missing.csv")))
    assert "không dùng cả hai" in str(fails("deadline", "--batch", "-", "--limit", "1", stdin=""))


LTBXH = "Bộ Lao động – Thương binh và Xã hội"
ART_111 = "Bộ luật Lao động 45/2019/QH14, Điều 111 khoản 3"


def test_calendar_lists_2023() -> None:
    out, _ = run("calendar", "--year", "2023")
    lines = out.splitlines()
    assert f"2023-01-20 T6 nghỉ   29 Tết — Thông báo 5034/TB-LĐTBXH của {LTBXH}" in lines
    assert f"2023-05-02 T3 nghỉ   Ngày Giỗ Tổ Hùng Vương (nghỉ bù) — {ART_111}" in lines
    assert f"2023-05-03 T4 nghỉ   Ngày Chiến thắng (nghỉ bù) — {ART_111}" in lines
    assert not any(line.startswith("2023-04-29") for line in lines)  # a Saturday: not a weekday off
    assert len(lines) == 11


def test_calendar_lists_make_up_saturdays() -> None:
    out, _ = run("calendar", "--year", "2025")
    assert (
        "2025-04-26 T7 làm bù Làm bù cho ngày nghỉ 02/05/2025 — Thông báo 6150/TB-BLĐTBXH ngày 03/12/2024 "
        f"của {LTBXH}"
    ) in out.splitlines()


def test_calendar_shows_each_change_of_2026_with_its_document() -> None:
    lines = run("calendar", "--year", "2026")[0].splitlines()
    vpcp = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
    assert f"2026-01-02 T6 nghỉ   Ngày nghỉ (hoán đổi, làm bù thứ Bảy 10/01/2026) — {vpcp}" in lines
    assert f"2026-01-10 T7 làm bù Làm bù cho ngày nghỉ 02/01/2026 — {vpcp}" in lines
    assert (
        "2026-11-24 T3 nghỉ   Ngày Văn hóa Việt Nam — Nghị quyết 28/2026/QH16, Điều 2 của Quốc hội" in lines
    )
    assert all(" — " in line for line in lines)
    assert len(lines) == 16


def test_calendar_marks_a_year_without_documents_as_an_estimate_and_shows_overrides() -> None:
    calendar_override_create(
        date=dt.date(2028, 3, 14), kind="extra_day_off", name="Nghỉ bão", decision="Quyết định 5/QĐ-UBND"
    )
    lines = run("calendar", "--year", "2028")[0].splitlines()
    assert (
        "2028-01-26 T4 nghỉ   Tết Nguyên Đán — ước tính theo Bộ luật Lao động, chưa có văn bản của năm"
        in lines
    )
    assert (
        "2028-03-14 T3 nghỉ   Nghỉ bão (Quyết định 5/QĐ-UBND) — điều chỉnh của tỉnh: Quyết định 5/QĐ-UBND"
    ) in lines


def test_import_calendar_overrides(tmp_path: Path) -> None:
    source = tmp_path / "overrides.csv"
    source.write_text(
        "date,kind,name,decision\n2023-03-14,extra_day_off,Nghỉ bão,QĐ 12/QĐ-UBND\n"
        "2023-03-18,extra_working_day,Làm bù,QĐ 12/QĐ-UBND\n",
        encoding="utf-8",
    )
    out, _ = run("import_calendar_overrides", str(source))
    assert "2 thêm mới" in out
    assert run("import_calendar_overrides", str(source))[0].startswith(
        "Ngày điều chỉnh: 0 thêm mới, 0 cập nhật, 2"
    )
    # The new day off moves the answer of the deadline command.
    assert (
        run("deadline", "--received", "2023-03-13T10:00", "--limit", "1")[0].strip()
        == "2023-03-15T10:00:00+07:00"
    )


def test_import_calendar_overrides_all_or_nothing(tmp_path: Path) -> None:
    source = tmp_path / "overrides.csv"
    source.write_text(
        "date,kind,name,decision\n2023-03-14,extra_day_off,Nghỉ,\n2023-02-30,extra_day_off,Sai,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_calendar_overrides", str(source), stdout=io.StringIO(), stderr=err)
    assert failed.value.returncode == 2
    assert "dòng 3, cột date" in err.getvalue()
    assert CalendarOverride.objects.count() == 0
