"""The shared view helpers: htmx fragments, downloads with a safe Content-Disposition, errors on forms."""

from __future__ import annotations

import io
from urllib.parse import unquote

from django import forms
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from motcua.core.errors import Conflict, ValidationFailed
from motcua.core.http import content_disposition, domain_error_to_form, file_response, is_htmx


def test_is_htmx_wants_a_fragment_but_not_on_history_restore() -> None:
    factory = RequestFactory()
    assert is_htmx(factory.get("/", HTTP_HX_REQUEST="true"))
    assert not is_htmx(factory.get("/"))
    assert not is_htmx(factory.get("/", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"))


def test_vietnamese_file_names_get_an_ascii_fallback_and_the_real_name() -> None:
    header = content_disposition('Giấy đề nghị "số 1"; bản\r\nchính.pdf')
    assert header.startswith('attachment; filename="Giay_de_nghi__so_1___ban')
    fallback, encoded = header.split("; filename*=UTF-8''")
    assert fallback.endswith('.pdf"')
    assert "\r" not in header
    assert "\n" not in header
    assert unquote(encoded) == 'Giấy đề nghị "số 1"; bảnchính.pdf'
    assert content_disposition("mau-01.pdf", inline=True).startswith('inline; filename="mau-01.pdf"')
    assert content_disposition("\x00") == "attachment; filename=\"tep\"; filename*=UTF-8''tep"


def test_file_response_for_bytes_and_files() -> None:
    response = file_response(b"%PDF", filename="Biên nhận.pdf", content_type="application/pdf")
    assert isinstance(response, HttpResponse)
    assert response.content == b"%PDF"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == content_disposition("Biên nhận.pdf")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    streamed = file_response(io.BytesIO(b"abc"), filename="a.bin", content_type="application/octet-stream")
    assert isinstance(streamed, FileResponse)
    assert b"".join(streamed.streaming_content) == b"abc"  # type: ignore[arg-type]
    public = file_response("x", filename="a.txt", content_type="text/plain", cache_control=None)
    assert "Cache-Control" not in public


class _Form(forms.Form):
    name = forms.CharField()
    id_number = forms.CharField()


def test_domain_error_details_land_on_the_fields_they_name() -> None:
    form = _Form(data={"name": "An", "id_number": "1"})
    assert form.is_valid()
    error = ValidationFailed(
        "Dữ liệu không hợp lệ.", details={"applicant": {"id_number": ["Sai số định danh."]}, "other": ["x"]}
    )
    assert domain_error_to_form(form, error)
    assert form.errors == {"id_number": ["Sai số định danh."]}  # a plain validation error: no extra message


def test_unplaced_problems_and_the_message_become_form_errors() -> None:
    form = _Form(data={"name": "An", "id_number": "1"})
    assert form.is_valid()
    error = Conflict(
        "Hồ sơ đã thay đổi.",
        details={"answers": {"ho_ten": "Bắt buộc."}, "name": "Quá dài.", "phone": "Không hợp lệ."},
    )
    assert domain_error_to_form(form, error, groups=("answers",), unplaced=True)
    assert form.errors["name"] == ["Quá dài."]
    # Never an internal name (issue 16: "phone: ..."): the field's Vietnamese label, or the text alone.
    assert form.non_field_errors() == ["Số điện thoại: Không hợp lệ.", "Bắt buộc.", "Hồ sơ đã thay đổi."]
    bare = _Form(data={"name": "An", "id_number": "1"})
    assert bare.is_valid()
    assert not domain_error_to_form(bare, ValidationFailed("Lỗi chung."))
    assert bare.non_field_errors() == ["Lỗi chung."]
