"""The view helpers every interface layer shares: htmx fragments, file downloads, service errors on forms.

- ``is_htmx(request)``: an htmx request that wants a fragment (a history restore needs the whole page);
- ``file_response(content, filename=..., content_type=...)``: a download with one safe
  ``Content-Disposition`` (an ASCII fallback and the real, Vietnamese name as RFC 5987 ``filename*``), and
  ``Cache-Control: private, no-store`` unless told otherwise;
- ``domain_error_to_form(form, exc)``: a service's ``DomainError`` shown on a Django form, each problem of
  ``details`` on the field it names, the rest (and the message) as form errors.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import IO, Any, overload
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse

from motcua.core.errors import DomainError

PRIVATE = "private, no-store"


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a history restore, which needs the whole page)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with an ASCII ``filename`` fallback and the real name as ``filename*``.

    The fallback drops Vietnamese diacritics (``đ`` → ``d``) and keeps only letters, digits and ``._-``, so
    no quote, semicolon, slash or line break of a stored name can reach the header.
    """
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip() or "tep"
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = (
        "".join(
            ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_"
            for ch in plain
            if not unicodedata.combining(ch)
        ).strip("._")
        or "tep"
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@overload
def file_response(
    content: bytes | str,
    *,
    filename: str,
    content_type: str,
    inline: bool = ...,
    cache_control: str | None = ...,
) -> HttpResponse: ...


@overload
def file_response(
    content: IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = ...,
    cache_control: str | None = ...,
) -> FileResponse: ...


def file_response(
    content: bytes | str | IO[bytes],
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    cache_control: str | None = PRIVATE,
) -> HttpResponse | FileResponse:
    """A download of ``content`` (bytes, text or an open binary file, streamed) named ``filename``."""
    response: HttpResponse | FileResponse
    if isinstance(content, bytes | str):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    if cache_control:
        response["Cache-Control"] = cache_control
    return response


def _texts(problems: Any) -> list[str]:
    if isinstance(problems, str):
        return [problems]
    if isinstance(problems, Iterable) and not isinstance(problems, dict):
        return [str(p) for p in problems]
    return []


# What the people reading a form call the fields services name in their errors' details (issue 16: a
# message showed "phone: ..."); a name not listed here is left out of the message.
FIELD_LABELS: dict[str, str] = {
    "name": "Họ và tên",
    "kind": "Loại người nộp",
    "id_number": "Số định danh cá nhân / mã số thuế",
    "phone": "Số điện thoại",
    "email": "Thư điện tử",
    "address": "Địa chỉ",
    "unit": "Đơn vị tiếp nhận",
    "components": "Thành phần hồ sơ",
    "file": "Tệp",
}


def domain_error_to_form(
    form: Any,
    exc: DomainError,
    *,
    groups: tuple[str, ...] = ("applicant",),
    unplaced: bool = False,
    message: bool | None = None,
) -> bool:
    """Show ``exc`` on ``form``; True if some problem landed on a field.

    ``exc.details`` maps field names to problems (a text or a list of texts), possibly under the ``groups``
    keys (``{"applicant": {"id_number": [...]}}``). Each problem goes on the form field of that name;
    with ``unplaced`` a problem naming no field of the form becomes a form error ``"Label: text"`` (the
    Vietnamese label of ``FIELD_LABELS``, or the text alone; never the internal name). The
    message is added as a form error when ``message`` is True, or (``None``) unless the error is a plain
    validation error (``invalid``, ``invalid_params``) whose problems all landed on fields.
    """
    details: dict[str, Any] = exc.details if isinstance(exc.details, dict) else {}
    flat: dict[str, Any] = {k: v for k, v in details.items() if k not in groups}
    for group in groups:
        nested = details.get(group)
        if isinstance(nested, dict):
            flat.update(nested)
    placed = False
    for name, problems in flat.items():
        texts = _texts(problems)
        if not texts:
            continue
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
            placed = True
        elif unplaced:  # never the internal name ("phone:"): the field's Vietnamese label, or the text alone
            label = FIELD_LABELS.get(name)
            form.add_error(None, f"{label}: {' '.join(texts)}" if label else " ".join(texts))
    if message is None:
        message = not placed or exc.code not in ("invalid", "invalid_params")
    if message:
        form.add_error(None, exc.message)
    return placed
