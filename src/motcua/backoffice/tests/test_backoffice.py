"""Back-office pages: queues per role, scoping across units, counter intake, action forms, exports."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.models import User
from motcua.core import clock
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in, staff
from motcua.identity.models import PersonalDataAccess

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Phạm Thị Thu Hương", "id_number": "026190054321", "phone": "0987654321"}


def login(client: Client, user: User) -> None:
    # The dossiers' staff factory sets the password without saving it: reload so the session hash matches.
    user.refresh_from_db()
    client.force_login(user)


def intake(world: World, name: str = "Phạm Thị Thu Hương", unit: str = "8707") -> Dossier:
    officer = world.officer_a if unit == "8707" else world.officer_b
    return dossier_intake_counter(
        officer=officer, procedure_code="1.001193", unit_code=unit, applicant={**APPLICANT, "name": name}
    )


def html(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def desk(world: World, frozen: dt.datetime) -> dict[str, Dossier]:
    """Dossiers of unit A in every queue, and one of unit B."""
    version, unit_a = world.version, world.unit_a
    return {
        "online": dossier_in(
            Status.SUBMITTED,
            version=version,
            unit=unit_a,
            channel=Channel.ONLINE,
            submitted_at=frozen,
            applicant_name="Hồ sơ trực tuyến",
        ),
        "mine": dossier_in(
            Status.PROCESSING,
            version=version,
            unit=unit_a,
            assignee=world.specialist_a,
            applicant_name="Hồ sơ của chuyên viên",
        ),
        "soon": dossier_in(
            Status.PROCESSING,
            version=version,
            unit=unit_a,
            applicant_name="Sắp đến hạn",
            due_at=frozen + dt.timedelta(hours=3),
            statutory_due_at=frozen + dt.timedelta(hours=3),
        ),
        "late": dossier_in(
            Status.RECEIVED,
            version=version,
            unit=unit_a,
            applicant_name="Đã quá hạn",
            due_at=frozen - dt.timedelta(days=1),
            statutory_due_at=frozen - dt.timedelta(days=1),
        ),
        "resolved": dossier_in(Status.RESOLVED, version=version, unit=unit_a, applicant_name="Chờ trả"),
        "other": dossier_in(
            Status.PROCESSING,
            version=version,
            unit=world.unit_b,
            applicant_name="Xã khác",
            due_at=frozen - dt.timedelta(days=1),
        ),
    }


QUEUE_MEMBERS = {
    "truc-tuyen": {"online"},
    "cua-toi": set(),
    "dang-xu-ly": {"mine", "soon", "late"},
    "sap-den-han": {"soon"},
    "qua-han": {"late"},
    "cho-tra": {"resolved"},
    "tat-ca": {"online", "mine", "soon", "late", "resolved"},
}


def test_officer_queues_hold_exactly_their_dossiers(
    client: Client, world: World, desk: dict[str, Dossier], django_assert_max_num_queries: Any
) -> None:
    login(client, world.officer_a)
    for slug, members in QUEUE_MEMBERS.items():
        with django_assert_max_num_queries(8):
            response = client.get(f"/can-bo/hang-doi/{slug}/")
        assert response.status_code == 200, slug
        page = html(response)
        for key, dossier in desk.items():
            assert (f'href="/can-bo/ho-so/{dossier.code}/"' in page) == (key in members), (slug, key)


def test_specialist_sees_their_own_queue_but_not_the_officer_queues(
    client: Client, world: World, desk: dict[str, Dossier]
) -> None:
    login(client, world.specialist_a)
    home = html(client.get("/can-bo/"))
    assert "Được giao cho tôi" in home
    assert "Hồ sơ trực tuyến chờ kiểm tra" not in home
    assert "Tiếp nhận trực tiếp</a></h2>" not in home
    mine = html(client.get("/can-bo/hang-doi/cua-toi/"))
    assert desk["mine"].code in mine
    assert desk["soon"].code not in mine
    # An officer queue narrowed to officer units: empty for a specialist, whatever is submitted.
    assert desk["online"].code not in html(client.get("/can-bo/hang-doi/truc-tuyen/"))
    assert client.get("/can-bo/hang-doi/khong-co/").status_code == 404


def test_home_panels_show_counts_with_links(
    client: Client, world: World, desk: dict[str, Dossier], django_assert_max_num_queries: Any
) -> None:
    login(client, world.officer_a)
    with django_assert_max_num_queries(8):  # see test_home: whatever the number of dossiers
        response = client.get("/can-bo/")
    page = html(response)
    expected = {
        "truc-tuyen": 1,
        "cua-toi": 0,
        "dang-xu-ly": 3,
        "sap-den-han": 1,
        "qua-han": 1,
        "cho-tra": 1,
        "tat-ca": 5,
    }
    for slug, count in expected.items():
        assert f'href="/can-bo/hang-doi/{slug}/"' in page
        assert f'data-queue="{slug}">{count}</p>' in page
    assert "Danh sách hồ sơ sẽ hiển thị ở đây" not in page


def test_other_unit_sees_nothing_of_unit_a(client: Client, world: World, desk: dict[str, Dossier]) -> None:
    login(client, world.officer_b)
    for slug in QUEUE_MEMBERS:
        page = html(client.get(f"/can-bo/hang-doi/{slug}/"))
        for key, dossier in desk.items():
            if key != "other":
                assert str(dossier.code) not in page, (slug, key)
    assert desk["other"].code in html(client.get("/can-bo/hang-doi/qua-han/"))
    code = desk["mine"].code
    assert client.get(f"/can-bo/ho-so/{code}/").status_code == 404
    assert client.get("/can-bo/ho-so/KHONG-CO/").status_code == 404
    before = Dossier.objects.get(pk=desk["mine"].pk).version
    response = client.post(
        f"/can-bo/ho-so/{code}/thao-tac/resolve/",
        {"resolve-expected_version": before, "resolve-result": "Giấy khai sinh"},
    )
    assert response.status_code == 404
    assert Dossier.objects.get(pk=desk["mine"].pk).version == before
    export = load_workbook(io.BytesIO(client.get("/can-bo/hang-doi/tat-ca/xlsx/").content)).active
    assert export is not None
    assert [row[1] for row in export.iter_rows(min_row=3, values_only=True)] == [desk["other"].code]


def test_parent_leader_reads_but_cannot_act(client: Client, world: World, desk: dict[str, Dossier]) -> None:
    login(client, world.leader_p)
    page = html(client.get(f"/can-bo/ho-so/{desk['mine'].code}/"))
    assert "Hồ sơ của chuyên viên" in page
    assert "Bạn không có thao tác nào" in page
    assert desk["late"].code in html(client.get("/can-bo/hang-doi/qua-han/"))


def test_lists_mask_id_numbers_and_filter(client: Client, world: World, desk: dict[str, Dossier]) -> None:
    login(client, world.officer_a)
    page = html(client.get("/can-bo/hang-doi/tat-ca/"))
    assert "026******612" in page
    assert "026012345612" not in page
    filtered = html(client.get("/can-bo/hang-doi/tat-ca/", {"status": "resolved"}))
    assert desk["resolved"].code in filtered
    assert desk["mine"].code not in filtered
    found = html(client.get("/can-bo/hang-doi/tat-ca/", {"q": "quá hạn"}))
    assert desk["late"].code in found
    assert desk["soon"].code not in found
    by_code = html(client.get("/can-bo/hang-doi/tat-ca/", {"q": str(desk["soon"].code)}))
    assert desk["soon"].code in by_code
    assert desk["late"].code not in by_code
    assert desk["late"].code not in html(client.get("/can-bo/hang-doi/tat-ca/", {"procedure": "9.999"}))
    # Received one hour before the frozen instant (10 March): inside the 10 March range, outside the 11th.
    day = html(
        client.get("/can-bo/hang-doi/tat-ca/", {"received_from": "2025-03-10", "received_to": "2025-03-10"})
    )
    assert desk["late"].code in day
    later = html(client.get("/can-bo/hang-doi/tat-ca/", {"received_from": "2025-03-11"}))
    assert desk["late"].code not in later
    # A bad filter value is ignored, not an error page.
    assert client.get("/can-bo/hang-doi/tat-ca/", {"status": "nope", "received_from": "x"}).status_code == 200
    # htmx asks for the results fragment only.
    fragment = client.get("/can-bo/hang-doi/tat-ca/", {"status": "resolved"}, HTTP_HX_REQUEST="true")
    assert html(fragment).lstrip().startswith('<section id="queue-results"')


def test_queue_pagination_and_constant_query_count(
    client: Client, world: World, frozen: dt.datetime, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        dossier_in(
            Status.PROCESSING,
            version=world.version,
            unit=world.unit_a,
            applicant_name=f"Người {i}",
            assignee=world.specialist_a,
        )
    login(client, world.officer_a)
    with django_assert_max_num_queries(8):
        first = html(client.get("/can-bo/hang-doi/tat-ca/"))
    assert "30 hồ sơ" in first
    assert "Trang 1/2" in first
    assert first.count('href="/can-bo/ho-so/') == 25
    second = html(client.get("/can-bo/hang-doi/tat-ca/", {"page": 2}))
    assert second.count('href="/can-bo/ho-so/') == 5


def test_excel_export_of_the_filtered_queue(client: Client, world: World, desk: dict[str, Dossier]) -> None:
    login(client, world.officer_a)
    response = client.get("/can-bo/hang-doi/dang-xu-ly/xlsx/", {"q": "hạn"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Hồ sơ đang xử lý"
    assert rows[1][:3] == ("STT", "Mã hồ sơ", "Thủ tục")
    body = {row[1]: row for row in rows[2:]}
    assert set(body) == {desk["soon"].code, desk["late"].code}
    late = body[desk["late"].code]
    assert late[5] == "Đã quá hạn"
    assert late[6] == "026******612"
    assert late[11] == "x"
    assert body[desk["soon"].code][11] is None  # empty cell


# --------------------------------------------------------------------------------------- intake


def test_counter_intake_flow(client: Client, world: World, frozen: dt.datetime) -> None:
    login(client, world.officer_a)
    search = html(client.get("/can-bo/tiep-nhan/"))
    assert "?thu_tuc=1.001193" in search
    form_page = client.get("/can-bo/tiep-nhan/", {"thu_tuc": "1.001193"})
    assert form_page.status_code == 200
    components = list(world.version.components.order_by("order"))
    assert all(c.name in html(form_page) for c in components)
    response = client.post(
        "/can-bo/tiep-nhan/",
        {
            "procedure": "1.001193",
            "unit": "8707",
            "kind": "citizen",
            "name": "Đặng Văn Lâm",
            "id_number": "026090012345",
            "phone": "0912 345 678",
            "components": [str(c.pk) for c in components if c.required],
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Đặng Văn Lâm")
    assert response["Location"] == f"/can-bo/ho-so/{dossier.code}/?in=01"
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == frozen
    assert list(dossier.components.order_by("pk").values_list("received", flat=True)) == [True, True, False]
    page = html(client.get(response["Location"]))
    assert f'href="/api/v1/dossiers/{dossier.code}/forms/01.pdf"' in page
    assert "Đã tiếp nhận hồ sơ" in page


def test_counter_intake_rejects_bad_input_and_missing_components(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    login(client, world.officer_a)
    base = {"procedure": "1.001193", "unit": "8707", "kind": "citizen", "name": "Lê Thị Mai"}
    response = client.post("/can-bo/tiep-nhan/", {**base, "name": ""})
    assert response.status_code == 400
    bad_id = client.post(
        "/can-bo/tiep-nhan/",
        {**base, "id_number": "12345", "components": [str(c.pk) for c in world.version.components.all()]},
    )
    assert "Số định danh cá nhân gồm 12 chữ số." in html(bad_id)
    missing = client.post("/can-bo/tiep-nhan/", {**base, "components": []})
    assert missing.status_code == 400
    assert "Còn thiếu: Tờ khai đăng ký khai sinh, Giấy chứng sinh" in html(missing)
    wrong_unit = client.post("/can-bo/tiep-nhan/", {**base, "unit": "9001"})
    assert wrong_unit.status_code == 400
    assert not Dossier.objects.exists()
    login(client, world.specialist_a)
    assert client.get("/can-bo/tiep-nhan/").status_code == 403


# --------------------------------------------------------------------------------------- actions


def post_action(client: Client, dossier: Dossier, action: str, **data: Any) -> Any:
    fields = {f"{action}-{k}": v for k, v in data.items()}
    fields.setdefault(f"{action}-expected_version", Dossier.objects.get(pk=dossier.pk).version)
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/{action}/", fields)


def test_dossier_page_shows_timeline_steps_dues_and_the_allowed_actions(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    dossier = intake(world)
    dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a, note="Chuyển xử lý")
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Phạm Thị Thu Hương" in page
    assert "026190054321" in page  # the full number on the dossier page itself
    assert 'data-field="due">10:00 13/03/2025' in page
    assert 'data-field="statutory-due">10:00 13/03/2025' in page
    assert "Tiếp nhận" in page
    assert "Chuyển xử lý" in page
    assert "Thẩm định, xử lý" in page  # the step after the desk's: one forward after the receipt
    assert 'data-step-result="open"' in page
    # Officer actions from "processing": no resolve (specialists and leaders only).
    assert 'id="action-forward"' in page
    assert 'id="action-request-supplement"' in page
    assert 'id="action-resolve"' not in page
    assert 'data-form="01"' in page
    assert 'data-form="05"' in page
    assert 'data-form="03"' not in page


def test_action_forms_valid_invalid_and_forbidden(client: Client, world: World, frozen: dt.datetime) -> None:
    dossier = intake(world)
    login(client, world.officer_a)
    response = post_action(client, dossier, "forward", note="Chuyển bước")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.current_step is not None
    # Assign to a specialist: the choices are the unit's specialists only.
    assert post_action(client, dossier, "assign", assignee=world.specialist_b.username).status_code == 400
    assert post_action(client, dossier, "assign", assignee=world.specialist_a.username).status_code == 302
    dossier.refresh_from_db()
    assert dossier.assignee == world.specialist_a

    # A forbidden action (return while processing) changes nothing and lists the allowed ones.
    version = dossier.version
    forbidden = post_action(client, dossier, "return")
    assert forbidden.status_code == 409
    text = html(forbidden)
    assert "Không thể thực hiện “Trả kết quả”" in text
    assert "Thao tác được phép:" in text
    assert "Chuyển bước / chuyển đơn vị" in text
    assert Dossier.objects.get(pk=dossier.pk).version == version

    login(client, world.specialist_a)
    supplement = post_action(client, dossier, "request-supplement", items="")
    assert supplement.status_code == 400
    assert Dossier.objects.get(pk=dossier.pk).version == version
    # The process has a leader's approval step: the specialist cannot complete (issue 16) but forwards it.
    skipped = post_action(client, dossier, "resolve", result="Giấy khai sinh số 12/2025")
    assert skipped.status_code == 409
    assert 'id="action-resolve"' not in html(skipped)
    assert Dossier.objects.get(pk=dossier.pk).version == version
    assert post_action(client, dossier, "forward").status_code == 302  # the next step: the leader's

    login(client, world.leader_a)
    invalid = post_action(client, dossier, "resolve", result="")
    assert invalid.status_code == 400
    assert "usa-error-message" in html(invalid)
    assert 'id="action-resolve" open' in html(invalid)
    assert post_action(client, dossier, "resolve", result="Giấy khai sinh số 12/2025").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED
    assert dossier.result_note == "Giấy khai sinh số 12/2025"

    login(client, world.officer_a)
    assert post_action(client, dossier, "return", note="Đã trả tận tay").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True)) == [
        "receive",
        "forward",
        "assign",
        "forward",
        "resolve",
        "return",
    ]
    assert client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/khong-co/", {}).status_code == 404


def test_stale_version_is_a_conflict_and_changes_nothing(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    dossier = intake(world)
    seen = dossier.version
    dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)  # someone else acts
    current = Dossier.objects.get(pk=dossier.pk)
    login(client, world.officer_a)
    response = post_action(
        client,
        dossier,
        "request-supplement",
        expected_version=seen,
        items="Bản sao sổ hộ khẩu",
        reason="Thiếu giấy tờ",
    )
    assert response.status_code == 409
    assert "Hồ sơ vừa được người khác cập nhật" in html(response)
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.version, after.status, after.supplement_requests) == (current.version, Status.PROCESSING, 0)
    # With the fresh version it goes through, and the note carries the items and the reason (Mẫu 02).
    ok = post_action(
        client, dossier, "request-supplement", items="Bản sao sổ hộ khẩu\n- Ảnh 4x6", reason="Thiếu giấy tờ"
    )
    assert ok.status_code == 302
    event = DossierEvent.objects.filter(dossier=dossier).last()
    assert event is not None
    assert event.note == "Bản sao sổ hộ khẩu\nẢnh 4x6\nLý do: Thiếu giấy tờ"


def test_receive_an_online_dossier_with_the_checklist_and_extend(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    online = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a, channel=Channel.ONLINE)
    online.components.update(received=False)
    rows = list(online.components.order_by("pk"))
    login(client, world.officer_a)
    missing = post_action(client, online, "receive", components=[str(rows[0].pk)])
    assert missing.status_code == 400
    assert "Hồ sơ chưa đủ thành phần bắt buộc" in html(missing) or "Còn thiếu" in html(missing)
    assert Dossier.objects.get(pk=online.pk).status == Status.SUBMITTED
    assert (
        post_action(client, online, "receive", components=[str(rows[0].pk), str(rows[1].pk)]).status_code
        == 302
    )
    online.refresh_from_db()
    assert online.status == Status.RECEIVED
    assert online.due_at == dt.datetime(2025, 3, 13, 10, tzinfo=clock.VN_TZ)

    login(client, world.leader_a)
    no_reason = post_action(client, online, "extend", due="2025-03-20T16:30")
    assert no_reason.status_code == 400
    ok = post_action(client, online, "extend", due="2025-03-20T16:30", note="Cần xác minh thêm")
    assert ok.status_code == 302
    online.refresh_from_db()
    assert online.due_at == dt.datetime(2025, 3, 20, 16, 30, tzinfo=clock.VN_TZ)
    assert online.statutory_due_at == dt.datetime(2025, 3, 13, 10, tzinfo=clock.VN_TZ)
    again = post_action(client, online, "extend", due="2025-03-25T16:30", note="Lần hai")
    assert again.status_code == 409
    assert "đã được gia hạn một lần" in html(again)
    page = html(client.get(f"/can-bo/ho-so/{online.code}/"))
    assert 'data-form="04"' in page


def test_logbook_page_exports_xlsx_and_pdf(client: Client, world: World, frozen: dt.datetime) -> None:
    dossier = intake(world)
    intake(world, name="Ở xã khác", unit="9001")
    login(client, world.officer_a)
    assert client.get("/can-bo/so-theo-doi/").status_code == 200
    query = {"unit": "8707", "date_from": "2025-03-01", "date_to": "2025-03-31", "output": "xlsx"}
    sheet = load_workbook(io.BytesIO(client.get("/can-bo/so-theo-doi/", query).content)).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] == [dossier.code]
    pdf = client.get("/can-bo/so-theo-doi/", {**query, "output": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Each export shows the applicants' names, addresses and phones: one access-log row per applicant.
    logged = PersonalDataAccess.objects.filter(viewer=world.officer_a, dossier_code=dossier.code)
    assert [(r.subject_id_number, r.purpose) for r in logged] == [
        (dossier.applicant_id_number, "Sổ theo dõi hồ sơ (Mẫu 06) Phường Vĩnh Yên, 01/03/2025–31/03/2025")
    ] * 2
    assert not PersonalDataAccess.objects.exclude(dossier_code=dossier.code).exists()
    # A unit outside the user's scope is not a valid choice.
    assert client.get("/can-bo/so-theo-doi/", {**query, "unit": "9001"}).status_code == 400
    assert client.get("/can-bo/so-theo-doi/", {**query, "date_to": "2025-02-01"}).status_code == 400
    assert PersonalDataAccess.objects.count() == 2  # refused requests show nobody


def test_pages_are_translated_to_english(client: Client, world: World, desk: dict[str, Dossier]) -> None:
    from django.conf import settings

    login(client, world.officer_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    home = html(client.get("/can-bo/"))
    assert "Online dossiers waiting for a check" in home
    assert "Hồ sơ trực tuyến chờ kiểm tra" not in home
    page = html(client.get(f"/can-bo/ho-so/{desk['late'].code}/"))
    assert "Statutory due" in page
    assert "History" in page


def test_dossier_page_query_count_does_not_grow_with_history(
    client: Client, world: World, frozen: dt.datetime, django_assert_max_num_queries: Any
) -> None:
    dossier = intake(world)
    dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    login(client, world.officer_a)
    client.get(f"/can-bo/ho-so/{dossier.code}/")  # warm the working calendar
    # Within the bound: 12 + the applicant's files (1 SELECT) + the access log (1 INSERT) + the fees ledger
    # (1 SELECT, issue 12) + the unit's counter staff, who may digitise (1 SELECT, issue 14).
    with django_assert_max_num_queries(18) as short:
        client.get(f"/can-bo/ho-so/{dossier.code}/")
    dossier_transition(dossier=dossier, action=Action.ASSIGN, actor=world.leader_a, assignee="chuyenvien_a")
    dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.specialist_a, note="Chuyển bước")
    dossier_transition(dossier=dossier, action=Action.ASSIGN, actor=world.leader_a, assignee="chuyenvien_a")
    with django_assert_max_num_queries(len(short.captured_queries)):
        page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert page.count('class="mc-timeline__item"') == 5
    assert page.count('data-step-result="') == 2


def test_the_leader_finds_what_the_specialist_sent_for_approval(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    """Issue 16: the specialist forwards to the process's leader step; it is in the leader's "Chờ tôi phê
    duyệt" (and nobody else's), and only the leader can complete it."""
    dossier = intake(world)
    dossier = dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)  # specialist
    dossier = dossier_transition(
        dossier=dossier, action=Action.ASSIGN, actor=world.officer_a, assignee=world.specialist_a.username
    )
    login(client, world.leader_a)
    assert dossier.code not in html(client.get("/can-bo/hang-doi/cho-phe-duyet/"))
    login(client, world.specialist_a)
    assert dossier.code in html(client.get("/can-bo/hang-doi/cua-toi/"))
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'id="action-resolve"' not in page
    assert post_action(client, dossier, "forward").status_code == 302  # the next step: the leader's
    assert Dossier.objects.get(pk=dossier.pk).current_step.role == "leader"  # type: ignore[union-attr]

    login(client, world.leader_a)
    home = html(client.get("/can-bo/"))
    assert 'data-queue="cho-phe-duyet">1</p>' in home
    assert dossier.code in html(client.get("/can-bo/hang-doi/cho-phe-duyet/"))
    assert 'id="action-resolve"' in html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    for other in (world.officer_a, world.specialist_a, world.leader_p):
        login(client, other)
        assert dossier.code not in html(client.get("/can-bo/hang-doi/cho-phe-duyet/"))
    login(client, world.leader_a)
    assert post_action(client, dossier, "resolve", result="Giấy khai sinh số 7/2025").status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESOLVED


def test_a_process_without_a_leader_step_lets_the_specialist_complete(world: World) -> None:
    from motcua.dossiers.tests.factories import procedure_version
    from motcua.organisations.constants import Role

    version = procedure_version(steps=(("Tiếp nhận", Role.OFFICER, "4"), ("Xử lý", Role.SPECIALIST, "8")))
    dossier = dossier_in(Status.PROCESSING, version=version, unit=world.unit_a)
    assert world.specialist_a.has_perm("dossiers.resolve_dossier", dossier)
    resolved = dossier_transition(
        dossier=dossier, action=Action.RESOLVE, actor=world.specialist_a, result="Giấy xác nhận"
    )
    assert resolved.status == Status.RESOLVED


def test_the_dossier_page_names_the_current_step_its_holder_and_budget(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    """Issue 16: after the hand-over and the assignment the page says which step, who holds it, the budget."""
    dossier = intake(world)
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'data-field="current-step">Đã tiếp nhận, chờ chuyển bước xử lý' in page
    dossier = dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    dossier = dossier_transition(
        dossier=dossier, action=Action.ASSIGN, actor=world.officer_a, assignee=world.specialist_a.username
    )
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'data-field="current-step">Thẩm định, xử lý</dd>' in page
    assert f'data-field="current-holder">{world.specialist_a} — {world.unit_a.name}</dd>' in page
    assert 'data-field="current-budget">đã dùng 0 / 12 giờ làm việc' in page
    login(client, world.specialist_a)
    assert post_action(client, dossier, "forward").status_code == 302
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'data-field="current-step">Phê duyệt</dd>' in page
    assert f'data-field="current-holder">Lãnh đạo — {world.unit_a.name}</dd>' in page
    assert "/ 8 giờ làm việc" in page


def test_one_forward_after_the_receipt_reaches_the_specialist(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    """Issue 16, "the officer forwards twice after intake": the receipt did the process's first step (the
    one-stop desk's "Tiếp nhận"), so the officer's one forward takes the dossier to the specialist's step.
    Before, the next step offered after the receipt was the desk's step again, and a second forward was
    needed to reach the specialist (this test failed then)."""
    from motcua.backoffice.forms import ForwardForm

    dossier = intake(world)
    choices = dict(ForwardForm(dossier=dossier, user=world.officer_a).fields["step"].choices)  # type: ignore[attr-defined]
    assert choices == {
        "": "Bước tiếp theo theo quy trình: Thẩm định, xử lý (Chuyên viên xử lý, 12 giờ)",
        "3": "3. Phê duyệt (Lãnh đạo, 8 giờ)",
    }
    login(client, world.officer_a)
    assert post_action(client, dossier, "forward").status_code == 302
    forwarded = Dossier.objects.get(pk=dossier.pk)
    assert forwarded.current_step is not None
    assert (forwarded.current_step.order, forwarded.current_step.role) == (2, "specialist")
    assert forwarded.steps.filter(finished_at__isnull=True).get().name == "Thẩm định, xử lý"
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'data-field="current-step">Thẩm định, xử lý</dd>' in page


def test_the_forward_form_offers_the_process_steps_ahead(world: World, frozen: dt.datetime) -> None:
    """The next step by default, named with who works it; later steps; never a step already behind."""
    from motcua.backoffice.forms import AssignForm, ForwardForm

    dossier = intake(world)
    dossier = dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    choices = dict(ForwardForm(dossier=dossier, user=world.specialist_a).fields["step"].choices)  # type: ignore[attr-defined]
    assert choices == {
        "": "Bước tiếp theo theo quy trình: Phê duyệt (Lãnh đạo, 8 giờ)",
    }
    other = staff(world.unit_a, "specialist", username="chuyenvien_a2")
    other.full_name = "Đỗ Văn Dũng"
    other.save(update_fields=["full_name"])
    world.specialist_a.full_name = "Lê Thị Đào"
    world.specialist_a.save(update_fields=["full_name"])
    names = [
        label for value, label in AssignForm(dossier=dossier, user=world.officer_a).fields["assignee"].choices
    ][1:]  # type: ignore[attr-defined]
    assert [n.split(" (")[0] for n in names] == ["Đỗ Văn Dũng", "Lê Thị Đào"]  # by given name: Dũng, Đào
