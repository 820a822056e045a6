"""Read a PDF back as text with poppler's pdftotext (whitespace collapsed: A5 lines wrap anywhere)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    assert pdf.startswith(b"%PDF-")
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    tool = shutil.which("pdftotext") or "pdftotext"
    out = subprocess.run([tool, str(path), "-"], capture_output=True, check=False)  # noqa: S603 - our file
    assert out.returncode == 0, out.stderr
    return " ".join(out.stdout.decode().split())
