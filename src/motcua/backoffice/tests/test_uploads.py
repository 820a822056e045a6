"""The applicant's files on the staff dossier page: listing, download in scope only, access log."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from motcua.core import clock
from motcua.core.http import content_disposition
from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.models import Upload
from motcua.documents.tests.files import pdf, png
from motcua.documents.tests.fixtures import media  # noqa: F401
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.identity.models import PersonalDataAccess

from .test_backoffice import html, intake, login

pytestmark = pytest.mark.django_db

VIETNAMESE_NAME = 'Giấy đề nghị của bà Hương; bản "chính".pdf'


def attach(
    dossier: Dossier,
    data: bytes,
    *,
    name: str,
    content_type: str = "application/pdf",
    purpose: str = UploadPurpose.SUBMISSION,
    component: Any = "first",
) -> Upload:
    """Store a file the way ``documents.services.upload_store`` does (the checks are tested there)."""
    if component == "first":
        component = dossier.components.order_by("pk").first()
    stored = default_storage.save(f"uploads/test/{uuid.uuid4().hex}.bin", ContentFile(data))
    return Upload.objects.create(
        dossier=dossier,
        component=component,
        purpose=purpose,
        original_name=name,
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan_result=ScanResult.CLEAN,
        uploaded_by=None,
        uploaded_at=clock.now(),
    )


def logs() -> list[PersonalDataAccess]:
    return list(PersonalDataAccess.objects.order_by("pk"))


@pytest.fixture
def filed(world: World, frozen: dt.datetime, media: Path) -> dict[str, Any]:  # noqa: F811
    dossier = intake(world)
    other = intake(world, name="Nguyễn Văn Bình", unit="9001")
    first = attach(dossier, pdf("Đơn đề nghị"), name=VIETNAMESE_NAME)
    with clock.frozen(frozen + dt.timedelta(hours=1)):
        supplement = attach(
            dossier,
            png(),
            name="anh-bo-sung.png",
            content_type="image/png",
            purpose=UploadPurpose.SUPPLEMENT,
            component=None,
        )
    foreign = attach(other, pdf("Hồ sơ xã khác"), name="xa-khac.pdf")
    return {"dossier": dossier, "other": other, "first": first, "supplement": supplement, "foreign": foreign}


def test_officer_of_the_unit_sees_the_files_per_component(client: Client, world: World, filed: Any) -> None:
    dossier, first, supplement = filed["dossier"], filed["first"], filed["supplement"]
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    component = dossier.components.order_by("pk").first()
    assert f'<th scope="rowgroup" colspan="6">{component.name}</th>' in page
    assert "Giấy đề nghị của bà Hương; bản &quot;chính&quot;.pdf" in page  # escaped, as stored
    assert f'href="/can-bo/ho-so/{dossier.code}/tep/{first.pk}/"' in page
    assert f'href="/can-bo/ho-so/{dossier.code}/tep/{supplement.pk}/"' in page
    assert "application/pdf" in page
    assert "image/png" in page
    assert f'<td data-size="{first.size}">{filesizeformat(first.size)}</td>' in page
    assert "10:00 10/03/2025" in page
    assert "11:00 10/03/2025" in page
    assert page.count('data-scan="clean"') == 2
    assert page.count("data-supplement") == 1
    assert "Không gắn với thành phần hồ sơ" in page
    assert f"/tep/{filed['foreign'].pk}/" not in page  # another dossier's file is not listed
    assert page.index(f"/tep/{first.pk}/") < page.index(f"/tep/{supplement.pk}/")


def test_dossier_without_files_says_so(client: Client, world: World, frozen: dt.datetime) -> None:
    dossier = intake(world)
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Người nộp chưa tải lên tệp nào." in page
    assert "/tep/" not in page


def test_download_serves_the_bytes_as_a_safe_attachment(client: Client, world: World, filed: Any) -> None:
    dossier, first = filed["dossier"], filed["first"]
    login(client, world.officer_a)
    response = client.get(f"/can-bo/ho-so/{dossier.code}/tep/{first.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf("Đơn đề nghị")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert "\n" not in disposition
    assert "\r" not in disposition
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii()
    assert ";" not in fallback
    assert "/" not in fallback
    assert fallback == "Giay_de_nghi_cua_ba_Huong__ban__chinh_.pdf"
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert not any(ch in encoded for ch in ' ;"')
    assert unquote(encoded) == VIETNAMESE_NAME


def test_supplement_file_keeps_its_sniffed_type(client: Client, world: World, filed: Any) -> None:
    login(client, world.officer_a)
    response = client.get(f"/can-bo/ho-so/{filed['dossier'].code}/tep/{filed['supplement'].pk}/")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png()
    assert response["Content-Disposition"] == (
        "attachment; filename=\"anh-bo-sung.png\"; filename*=UTF-8''anh-bo-sung.png"
    )


def test_views_and_downloads_are_logged(client: Client, world: World, filed: Any) -> None:
    dossier, first = filed["dossier"], filed["first"]
    login(client, world.officer_a)
    client.get(f"/can-bo/ho-so/{dossier.code}/")
    [view] = logs()
    assert view.viewer_id == world.officer_a.pk
    assert view.subject_id_number == "026190054321"
    assert view.path == f"/can-bo/ho-so/{dossier.code}/"
    assert dossier.code in view.purpose
    b"".join(client.get(f"/can-bo/ho-so/{dossier.code}/tep/{first.pk}/").streaming_content)
    _, download = logs()
    assert download.viewer_id == world.officer_a.pk
    assert download.subject_id_number == "026190054321"
    assert download.path == f"/can-bo/ho-so/{dossier.code}/tep/{first.pk}/"
    assert first.original_name in download.purpose


def test_officer_of_another_unit_gets_404_and_nothing_is_logged(
    client: Client, world: World, filed: Any
) -> None:
    dossier, first = filed["dossier"], filed["first"]
    login(client, world.officer_b)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/{first.pk}/").status_code == 404
    # Their own dossier's code does not open unit A's file either.
    assert client.get(f"/can-bo/ho-so/{filed['other'].code}/tep/{first.pk}/").status_code == 404
    assert logs() == []


def test_file_of_another_dossier_under_this_code_is_404(client: Client, world: World, filed: Any) -> None:
    dossier, foreign = filed["dossier"], filed["foreign"]
    login(client, world.leader_p)  # sees both communes' dossiers
    assert client.get(f"/can-bo/ho-so/{filed['other'].code}/tep/{foreign.pk}/").status_code == 200
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/{foreign.pk}/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/999999/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier.code}/tep/abc/").status_code == 404
    assert [entry.path for entry in logs()] == [f"/can-bo/ho-so/{filed['other'].code}/tep/{foreign.pk}/"]


def test_missing_stored_file_is_404_not_500(client: Client, world: World, filed: Any) -> None:
    first = filed["first"]
    default_storage.delete(first.stored_name)
    login(client, world.officer_a)
    assert client.get(f"/can-bo/ho-so/{filed['dossier'].code}/tep/{first.pk}/").status_code == 404


def test_anonymous_is_sent_to_login(client: Client, filed: Any) -> None:
    dossier, first = filed["dossier"], filed["first"]
    for url in (f"/can-bo/ho-so/{dossier.code}/", f"/can-bo/ho-so/{dossier.code}/tep/{first.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/?next=")
    assert logs() == []


def test_dossier_page_query_count_does_not_grow_with_files(
    client: Client, world: World, filed: Any, django_assert_max_num_queries: Any
) -> None:
    dossier = filed["dossier"]
    login(client, world.officer_a)
    client.get(f"/can-bo/ho-so/{dossier.code}/")  # warm the working calendar
    # The same bound as the page without files (test_backoffice): the files are one query, whatever their number;
    # + the unit's counter staff, who may digitise (1 SELECT, issue 14); + the e-form answers (1 SELECT, issue 16).
    with django_assert_max_num_queries(18) as few:
        client.get(f"/can-bo/ho-so/{dossier.code}/")
    for i in range(5):
        attach(dossier, pdf(f"Tệp {i}"), name=f"tep-{i}.pdf")
        attach(dossier, png(), name=f"anh-{i}.png", content_type="image/png", component=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert page.count("data-upload=") == 12


@given(st.text(min_size=1, max_size=150))
def test_disposition_is_one_safe_header_for_any_name(name: str) -> None:
    disposition = content_disposition(name)
    head, encoded = disposition.split("; filename*=UTF-8''")
    assert head.startswith('attachment; filename="')
    fallback = head.removeprefix('attachment; filename="').removesuffix('"')
    assert fallback
    assert all(ch.isascii() and (ch.isalnum() or ch in "._-") for ch in fallback)
    assert all(ch.isascii() and (ch.isalnum() or ch in "%._-~") for ch in encoded)
    printable = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    assert unquote(encoded) == (printable or "tep")
