"""Uploads without losing what was typed (issue 16, item 3): with htmx the file goes in the background and only
the component's block comes back; an error sits beside its file input, is announced (role="alert", the input's
``aria-describedby``) and takes the focus (``autofocus``, which htmx honours after a swap). Without JavaScript
the page reloads with the error beside the same input."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from motcua.documents.models import Upload
from motcua.documents.tests import files
from motcua.dossiers.models import Dossier

from .submission_factories import World, login, make_world
from .test_submission import start

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(client: Client) -> tuple[Dossier, World]:
    world = make_world()
    login(client, world.citizen)
    return start(client, world), world


def _url(dossier: Dossier, index: int = 0) -> tuple[str, int]:
    component = dossier.components.order_by("pk")[index]
    return f"/ho-so-cua-toi/nhap/{dossier.pk}/tai-len/{component.pk}/", component.pk


def test_a_background_upload_answers_the_components_block_only(
    client: Client, draft: tuple[Dossier, World], media: Path
) -> None:
    dossier, _world = draft
    url, pk = _url(dossier)
    response = client.post(url, {"file": files.upload("to-khai.pdf", files.pdf())}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="mc-component" id="tp-{pk}">')
    upload = Upload.objects.get(dossier=dossier)
    assert f'<a href="/ho-so-cua-toi/tep/{upload.pk}/">to-khai.pdf</a>' in html  # the file is listed
    assert 'role="status" aria-live="polite"' in html
    assert "Đã tải lên “to-khai.pdf”." in html
    assert 'id="draft-form"' not in html  # the typed form is not sent back: it stays as typed
    assert "data-upload-error" not in html
    assert Upload.objects.filter(dossier=dossier).count() == 1
    # removing it is in the background too
    removed = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/xoa-tep/{upload.pk}/", **HTMX)
    assert removed.status_code == 200
    assert "Đã xóa tệp “to-khai.pdf”." in removed.content.decode()
    assert "/ho-so-cua-toi/tep/" not in removed.content.decode()


def test_a_refused_background_upload_shows_its_error_beside_the_input(
    client: Client, draft: tuple[Dossier, World], media: Path
) -> None:
    dossier, _world = draft
    url, pk = _url(dossier, 1)
    response = client.post(url, {"file": files.upload("giay-chung-sinh.pdf", files.exe())}, **HTMX)
    assert response.status_code == 200  # htmx swaps 2xx only
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="mc-component" id="tp-{pk}">')
    error = f'<span class="usa-error-message" id="file-{pk}-error" role="alert" data-upload-error>'
    assert error + "Loại tệp không được chấp nhận" in html
    assert f'aria-invalid="true" aria-describedby="file-{pk}-error" autofocus' in html
    assert not Upload.objects.exists()


def test_without_javascript_the_error_comes_back_beside_the_same_input_once(
    client: Client, draft: tuple[Dossier, World], media: Path
) -> None:
    dossier, _world = draft
    url, pk = _url(dossier, 1)
    response = client.post(url, {"file": files.upload("giay-chung-sinh.pdf", files.exe())})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#tp-{pk}")
    page = client.get(response["Location"].split("#")[0]).content.decode()
    assert f'id="file-{pk}-error" role="alert" data-upload-error>Loại tệp không được chấp nhận' in page
    assert page.count("data-upload-error") == 1
    assert f'id="file-{pk}" name="file"' in page
    assert "autofocus" in page
    again = client.get(response["Location"].split("#")[0]).content.decode()
    assert "data-upload-error" not in again  # shown once
