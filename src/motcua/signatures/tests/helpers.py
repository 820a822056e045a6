"""Helpers of the signature tests: PDFs to sign, the sandbox signer, poppler's pdfsig with the sandbox root."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from functools import cache
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from motcua.signatures import pdf
from motcua.signatures.ca import SandboxCA, sandbox_ca


@cache
def document(pages: int = 1) -> bytes:
    """A PDF of ``pages`` pages with Vietnamese text (WeasyPrint, like the forms)."""
    import weasyprint

    body = "".join(
        f'<section style="page-break-after: always"><h1>Quyết định số {i}/QĐ-UBND</h1>'
        "<p>Cấp giấy chứng nhận quyền sử dụng đất cho ông Nguyễn Văn An.</p></section>"
        for i in range(1, pages + 1)
    )
    return bytes(weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf())


def stamp() -> pdf.StampText:
    return pdf.StampText(
        title="Giấy chứng nhận số 12/2026",
        signer="Trần Văn Lãnh Đạo",
        unit="UBND xã Tiền Phong",
        at=dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC),
    )


def unit_signer(ca: SandboxCA | None = None) -> pdf.KeySigner:
    ca = ca or sandbox_ca()
    return pdf.KeySigner(
        certificate=ca.unit.certificate, key=ca.unit.key, chain=[ca.issuing.certificate, ca.root.certificate]
    )


def run(*args: str, check: bool = True) -> str:
    """A command's standard output (poppler's and NSS's tools, Debian packages)."""
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=check)  # noqa: S603
    return result.stdout


def pdfsig(data: bytes, tmp_path: Path, *, trust_sandbox_root: bool = True) -> str:
    """poppler's pdfsig report of ``data``; the sandbox root is trusted through a throwaway NSS database."""
    target = tmp_path / "signed.pdf"
    target.write_bytes(data)
    args = ["pdfsig"]
    if trust_sandbox_root:
        db = tmp_path / "nssdb"
        if not db.exists():
            db.mkdir()
            run("certutil", "-N", "-d", f"sql:{db}", "--empty-password")
            root = tmp_path / "root.pem"
            root.write_bytes(sandbox_ca().root.cert_pem)
            run(
                "certutil",
                "-A",
                "-d",
                f"sql:{db}",
                "-n",
                "motcua-sandbox-root",
                "-t",
                "CT,C,C",
                "-i",
                str(root),
            )
        args += ["-nssdir", f"sql:{db}"]
    return run(*args, str(target), check=False)


def tampered(data: bytes) -> bytes:
    """``data`` with one byte of the signed content changed (inside the first signed range)."""
    index = data.index(b"Quy") if b"Quy" in data else 200
    changed = bytearray(data)
    changed[index + 1 : index + 2] = b"X" if changed[index + 1 : index + 2] != b"X" else b"Y"
    # A PDF keeps its text compressed: change a byte of the first stream instead when the text is not visible.
    if b"Quy" not in data:
        start = data.index(b"stream") + 20
        changed[start] ^= 0xFF
    return bytes(changed)


def amended(data: bytes) -> bytes:
    """``data`` with an incremental update after signing that changes the page (a new annotation)."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    annotation = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Annot"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/FreeText"),
            generic.pdf_name("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (50, 50, 300, 100)]
            ),
            generic.pdf_name("/Contents"): generic.TextStringObject("Đã sửa số tiền"),
            generic.pdf_name("/DA"): generic.TextStringObject("/Helv 12 Tf 0 g"),
        }
    )
    annots = page.get("/Annots") or generic.ArrayObject()
    annots.append(writer.add_object(annotation))
    page[generic.pdf_name("/Annots")] = annots
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
