"""Upload checks: sniffed type (not the name), zip structure and bombs, names, sizes, the clamd client."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from django.conf import LazySettings

from motcua.documents import clamav
from motcua.documents.validation import UploadRefused, clean_name, upload_check

from . import files


@pytest.mark.parametrize(
    ("builder", "name", "kind", "stored"),
    [
        (files.pdf, "to-khai.pdf", "pdf", "to-khai.pdf"),
        (files.png, "anh.PNG", "png", "anh.png"),
        (files.jpeg, "chan dung.jpeg", "jpeg", "chan dung.jpg"),
        (files.docx, "Đơn đề nghị.docx", "docx", "Đơn đề nghị.docx"),
        (files.xlsx, "bang-ke.xlsx", "xlsx", "bang-ke.xlsx"),
        # The type comes from the content: a PDF named .docx is stored as a .pdf.
        (files.pdf, "giay-to.docx", "pdf", "giay-to.pdf"),
        (files.png, "khong-duoi", "png", "khong-duoi.png"),
    ],
)
def test_allowed_types_are_decided_by_content(builder, name, kind, stored) -> None:  # type: ignore[no-untyped-def]
    checked = upload_check(name=name, data=builder())
    assert (checked.kind, checked.name) == (kind, stored)
    assert checked.scanned is False  # MOTCUA_CLAMD is empty in tests


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (files.exe(), "to-khai.pdf"),
        (files.HTML, "to-khai.pdf"),
        (b"just some text", "ghi-chu.pdf"),
        (files.plain_zip(), "tai-lieu.docx"),
        (files.EICAR, "eicar.pdf"),
    ],
)
def test_spoofed_types_are_refused(data: bytes, name: str) -> None:
    with pytest.raises(UploadRefused) as info:
        upload_check(name=name, data=data)
    assert info.value.code == "upload_bad_type"
    assert "Loại tệp không được chấp nhận" in info.value.message or "DOCX/XLSX" in info.value.message


def test_a_zip_bomb_disguised_as_docx_is_refused_without_extracting() -> None:
    with pytest.raises(UploadRefused) as info:
        upload_check(name="don.docx", data=files.zip_bomb_docx())
    assert info.value.code == "upload_zip_bomb"
    assert "bom nén" in info.value.message


def test_declared_uncompressed_size_over_the_limit_is_refused(settings: LazySettings) -> None:
    settings.MOTCUA_UPLOAD_MAX_UNZIPPED_BYTES = 1000
    with pytest.raises(UploadRefused) as info:
        upload_check(name="bang.xlsx", data=files.xlsx())
    assert info.value.code == "upload_zip_bomb"


def test_types_can_be_narrowed_by_settings(settings: LazySettings) -> None:
    settings.MOTCUA_UPLOAD_ALLOWED_TYPES = ["pdf"]
    assert upload_check(name="a.pdf", data=files.pdf()).kind == "pdf"
    with pytest.raises(UploadRefused, match="PDF"):
        upload_check(name="a.png", data=files.png())


def test_size_limits(settings: LazySettings) -> None:
    settings.MOTCUA_UPLOAD_MAX_FILE_BYTES = 100
    settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES = 300
    with pytest.raises(UploadRefused) as info:
        upload_check(name="a.pdf", data=files.pdf() + b"x" * 100)
    assert info.value.code == "upload_too_large"
    assert upload_check(name="a.png", data=files.png(), already_stored=200).kind == "png"
    with pytest.raises(UploadRefused) as info:
        upload_check(name="a.png", data=files.png(), already_stored=250)
    assert info.value.code == "upload_total_too_large"
    with pytest.raises(UploadRefused) as info:
        upload_check(name="a.png", data=b"")
    assert info.value.code == "upload_empty"


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\boot.ini.pdf",
        "/etc/cron.d/x.pdf",
        "..",
        "a\x00.pdf",
        "a\nb.pdf",
        "x\u202egpj.pdf",
        "",
    ],
)
def test_names_with_paths_or_control_characters_are_refused(name: str) -> None:
    with pytest.raises(UploadRefused) as info:
        clean_name(name)
    assert info.value.code == "upload_bad_name"


def test_names_are_sanitised_and_trimmed() -> None:
    assert clean_name('  bao<cao>:"2026"?.pdf ') == "bao_cao___2026__.pdf"
    assert clean_name(".htaccess") == "htaccess"
    checked = upload_check(name="x" * 400 + ".pdf", data=files.pdf())
    assert len(checked.name) <= 150
    assert checked.name.endswith(".pdf")


def test_clamd_reply_parsing() -> None:
    assert clamav.parse_reply("stream: OK\0").clean
    found = clamav.parse_reply("stream: Eicar-Signature FOUND\0")
    assert (found.clean, found.signature) == (False, "Eicar-Signature")
    with pytest.raises(clamav.ClamdUnavailable):
        clamav.parse_reply("INSTREAM size limit exceeded. ERROR\0")


def test_instream_protocol_against_a_fake_daemon(tmp_path: Path) -> None:
    """The bytes on the wire: zINSTREAM\\0, length-prefixed chunks, a zero-length end."""
    path = str(tmp_path / "fake.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while not received.endswith(b"\0\0\0\0"):
                part = conn.recv(65536)
                if not part:
                    break
                received.extend(part)
            conn.sendall(b"stream: OK\0")

    thread = threading.Thread(target=serve)
    thread.start()
    data = b"a" * (clamav.CHUNK + 10)
    assert clamav.instream(data, address=f"unix://{path}", timeout=5).clean
    thread.join(5)
    server.close()
    assert received.startswith(b"zINSTREAM\0" + clamav.CHUNK.to_bytes(4, "big") + b"a" * 10)
    assert received.endswith((10).to_bytes(4, "big") + b"a" * 10 + b"\0\0\0\0")
    assert len(received) == 10 + 4 + clamav.CHUNK + 4 + 10 + 4


def test_unreachable_clamd_refuses_the_upload(settings: LazySettings, tmp_path: Path) -> None:
    settings.MOTCUA_CLAMD = f"unix://{tmp_path}/nobody.sock"
    with pytest.raises(UploadRefused) as info:
        upload_check(name="a.pdf", data=files.pdf())
    assert info.value.code == "upload_scan_failed"


def test_real_clamd_finds_eicar(clamd_address: str, settings: LazySettings) -> None:
    assert clamav.instream(files.pdf(), address=clamd_address).clean
    outcome = clamav.instream(files.EICAR, address=clamd_address)
    assert not outcome.clean
    assert "Motcua.Test.EICAR" in outcome.signature
    settings.MOTCUA_CLAMD = clamd_address
    assert upload_check(name="a.pdf", data=files.pdf()).scanned is True
    with pytest.raises(UploadRefused) as info:
        upload_check(name="a.pdf", data=files.pdf("x" * 10) + files.EICAR)
    assert info.value.code == "upload_infected"
    assert "mã độc" in info.value.message


def test_deploy_check_requires_clamd_outside_the_sandbox(settings: LazySettings) -> None:
    from motcua.documents.checks import clamd_configured

    settings.SANDBOX = False
    settings.MOTCUA_CLAMD = ""
    assert [m.id for m in clamd_configured()] == ["motcua.documents.E001"]
    settings.MOTCUA_CLAMD = "unix:///run/clamav/clamd.ctl"
    assert clamd_configured() == []
    settings.MOTCUA_CLAMD = ""
    settings.SANDBOX = True
    assert clamd_configured() == []
