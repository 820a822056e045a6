"""Checks on an uploaded file before anything is stored: name, size, sniffed type, zip structure, viruses.

Every refusal raises ``UploadRefused`` (a ``ValidationFailed`` with a stable code and a Vietnamese message).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import magic
from django.conf import settings

from motcua.core.errors import ValidationFailed

from . import clamav
from .constants import UPLOAD_OTHER_EXTENSIONS, UPLOAD_TYPES

logger = logging.getLogger(__name__)

# Bytes handed to libmagic: enough for every signature we accept (OOXML needs the first zip entries).
SNIFF_BYTES = 256 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_NAME_LENGTH = 150
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE = re.compile(r'[<>:"|?*]')

OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


class UploadRefused(ValidationFailed):
    code = "upload_refused"


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised display name, with the extension of the detected type
    kind: str  # key of UPLOAD_TYPES
    content_type: str
    extension: str
    scanned: bool


def mb(value: int) -> str:
    return f"{value / (1024 * 1024):.0f} MB"


def clean_name(raw: str) -> str:
    """The display name: refuses path components and control characters, trims to a safe length."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise UploadRefused("Tệp tải lên không có tên.", code="upload_bad_name")
    if "/" in name or "\\" in name or name in {".", ".."} or name.startswith("..") or "\x00" in name:
        raise UploadRefused(
            "Tên tệp không hợp lệ: tên tệp không được chứa đường dẫn thư mục (“/”, “\\”, “..”).",
            code="upload_bad_name",
        )
    if _CONTROL.search(name):
        raise UploadRefused("Tên tệp không hợp lệ: chứa ký tự điều khiển.", code="upload_bad_name")
    name = _UNSAFE.sub("_", name)
    name = re.sub(r"\s+", " ", name).lstrip(".").strip()
    return name or "tep"


def _with_extension(name: str, extension: str) -> str:
    stem, dot, _ext = name.rpartition(".")
    if not dot or not stem:
        stem = name
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") or "tep"
    return f"{stem}.{extension}"


def _zip_kind(data: bytes) -> str:
    """``docx`` or ``xlsx`` from the inner structure; refuses zip bombs without extracting."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UploadRefused(
            "Tệp bị hỏng hoặc không đúng định dạng DOCX/XLSX.", code="upload_bad_type"
        ) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _bomb()
    declared = sum(max(entry.file_size, 0) for entry in entries)
    compressed = sum(max(entry.compress_size, 0) for entry in entries) or 1
    if (
        declared > settings.MOTCUA_UPLOAD_MAX_UNZIPPED_BYTES
        or declared / compressed > settings.MOTCUA_UPLOAD_MAX_ZIP_RATIO
    ):
        raise _bomb()
    for entry in entries:
        if (
            entry.compress_size
            and entry.file_size / entry.compress_size > settings.MOTCUA_UPLOAD_MAX_ZIP_RATIO
        ):
            raise _bomb()
        if entry.flag_bits & 0x1:
            raise UploadRefused("Tệp được mã hóa bằng mật khẩu, không kiểm tra được.", code="upload_bad_type")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise UploadRefused("Tệp nén không phải là tài liệu DOCX/XLSX.", code="upload_bad_type")
    # Read the small content-types part with a hard cap (never trust the declared size while reading).
    with archive.open("[Content_Types].xml") as part:
        content_types = part.read(256 * 1024 + 1)
    if len(content_types) > 256 * 1024:
        raise _bomb()
    for kind, main in OOXML_MAIN.items():
        if main in names and f"/{main}".encode() in content_types:
            return kind
    raise UploadRefused("Tệp nén không phải là tài liệu DOCX/XLSX.", code="upload_bad_type")


def _bomb() -> UploadRefused:
    return UploadRefused(
        "Tệp nén có kích thước giải nén bất thường (nghi ngờ “bom nén”), không được chấp nhận.",
        code="upload_zip_bomb",
    )


def upload_accept() -> str:
    """The ``accept`` attribute of every upload input, from ``MOTCUA_UPLOAD_ALLOWED_TYPES`` (read at each call).

    Only a hint to the browser's file picker: the content decides (``sniff``). By default
    ``".pdf,.jpg,.jpeg,.png,.docx,.xlsx"``.
    """
    allowed = set(settings.MOTCUA_UPLOAD_ALLOWED_TYPES)
    extensions: list[str] = []
    for kind, (_mime, extension) in UPLOAD_TYPES.items():
        if kind in allowed:
            extensions += [f".{e}" for e in (extension, *UPLOAD_OTHER_EXTENSIONS.get(kind, ()))]
    return ",".join(dict.fromkeys(extensions))


def upload_types_display() -> str:
    """The allowed types as people name them ("PDF, JPEG, PNG, DOCX, XLSX"), from the same setting."""
    allowed = set(settings.MOTCUA_UPLOAD_ALLOWED_TYPES)
    return ", ".join(kind.upper() for kind in UPLOAD_TYPES if kind in allowed)


def sniff(data: bytes) -> str:
    """The UPLOAD_TYPES key of ``data`` decided by its content; refuses anything else."""
    allowed = set(settings.MOTCUA_UPLOAD_ALLOWED_TYPES)
    mime = magic.from_buffer(data[:SNIFF_BYTES], mime=True)
    kind = next((k for k, (m, _e) in UPLOAD_TYPES.items() if m == mime), None)
    zipped = mime in {"application/zip", "application/octet-stream"} and data[:4] == b"PK\x03\x04"
    if zipped or kind in OOXML_MAIN:
        kind = _zip_kind(data)
    if kind is None or kind not in allowed:
        names = ", ".join(k.upper() for k in UPLOAD_TYPES if k in allowed)
        raise UploadRefused(
            f"Loại tệp không được chấp nhận (nội dung tệp không phải {names}).",
            code="upload_bad_type",
            details={"detected": mime},
        )
    return kind


_unscanned_warned = False


def scan(data: bytes) -> bool:
    """Scan with clamd when configured (True = scanned clean); refuse infected files or a failed scan.

    Without ``MOTCUA_CLAMD`` the upload is kept as not scanned (``False``), with one warning per process.
    """
    global _unscanned_warned
    address = settings.MOTCUA_CLAMD
    if not address:
        if not _unscanned_warned:
            logger.warning("MOTCUA_CLAMD is not set: uploads are accepted without a virus scan")
            _unscanned_warned = True
        return False
    try:
        outcome = clamav.instream(data, address=address, timeout=settings.MOTCUA_CLAMD_TIMEOUT)
    except clamav.ClamdUnavailable as exc:
        logger.error("virus scan failed: %s", exc)
        raise UploadRefused(
            "Chưa kiểm tra được virus cho tệp này, vui lòng thử lại sau.", code="upload_scan_failed"
        ) from None
    if not outcome.clean:
        logger.warning("upload refused: virus signature %s", outcome.signature)
        raise UploadRefused(
            f"Tệp có chứa mã độc ({outcome.signature}), không được chấp nhận.",
            code="upload_infected",
            details={"signature": outcome.signature},
        )
    return True


def upload_check(*, name: str, data: bytes, already_stored: int = 0) -> CheckedFile:
    """Run every check on one file; ``already_stored`` is the dossier's total so far (bytes)."""
    display = clean_name(name)
    size = len(data)
    if size == 0:
        raise UploadRefused("Tệp rỗng.", code="upload_empty")
    if size > settings.MOTCUA_UPLOAD_MAX_FILE_BYTES:
        raise UploadRefused(
            f"Tệp vượt quá dung lượng cho phép ({mb(settings.MOTCUA_UPLOAD_MAX_FILE_BYTES)} mỗi tệp).",
            code="upload_too_large",
        )
    if already_stored + size > settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES:
        raise UploadRefused(
            f"Tổng dung lượng tệp của hồ sơ vượt quá {mb(settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES)}.",
            code="upload_total_too_large",
        )
    kind = sniff(data)
    scanned = scan(data)
    content_type, extension = UPLOAD_TYPES[kind]
    return CheckedFile(
        name=_with_extension(display, extension),
        kind=kind,
        content_type=content_type,
        extension=extension,
        scanned=scanned,
    )
