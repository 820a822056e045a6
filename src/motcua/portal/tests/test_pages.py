"""Home page search, procedure detail, error pages, language switch, CSP."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.constants import ComponentKind, OnlineMode, PublicationStatus
from motcua.organisations.constants import Level, Role
from motcua.worktime.constants import LimitUnit

from .factories import make_procedure

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def catalog() -> None:
    make_procedure(
        "1.001193",
        "Thủ tục đăng ký khai sinh",
        time_limit=(0, LimitUnit.SAME_DAY),
        fees=[("Lệ phí đăng ký khai sinh", 0)],
    )
    make_procedure(
        "1.000894",
        "Thủ tục đăng ký kết hôn",
        level=Level.COMMUNE,
        online=OnlineMode.PARTIAL,
        time_limit=(5, LimitUnit.DAYS),
    )
    make_procedure(
        "2.000488",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        field=("XD", "Xây dựng"),
        level=Level.PROVINCE,
        online=OnlineMode.NONE,
        time_limit=(15, LimitUnit.DAYS),
        fees=[("Lệ phí cấp giấy phép xây dựng", 75000)],
    )


def names(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/thu-tuc/[^"]+/">([^<]+)</a></h3>', html)


def test_home_lists_procedures_in_force_with_count(client: Client, catalog: None) -> None:
    make_procedure("9.999999", "Thủ tục nháp chưa công bố", status=PublicationStatus.DRAFT)
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert names(html) == [  # in Vietnamese order of the names (issue 16), not by code
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Thủ tục đăng ký kết hôn",
        "Thủ tục đăng ký khai sinh",
    ]
    assert "Tìm thấy 3 thủ tục" in html
    assert "Thủ tục nháp" not in html
    assert 'lang="vi"' in html


def test_search_without_diacritics_through_the_page(client: Client, catalog: None) -> None:
    response = client.get(HOME, {"q": "dang ky khai sinh"})
    html = response.content.decode()
    assert names(html) == ["Thủ tục đăng ký khai sinh"]
    assert "Tìm thấy 1 thủ tục" in html
    # The search box keeps what was typed.
    assert 'value="dang ky khai sinh"' in html
    assert "<html" in html
    assert html.count('id="search-status"') == 1


def test_live_search_returns_the_partial_only(client: Client, catalog: None) -> None:
    response = client.get(HOME, {"q": "GIAY PHEP xay dung"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section id="ket-qua"')
    assert names(html) == ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]
    assert "HX-Request" in response["Vary"]
    # The count also goes, out of band, to the stable live region of the page.
    assert re.search(r'<p id="search-status" hx-swap-oob="innerHTML">\s*Tìm thấy 1 thủ tục\s*</p>', html)


def test_history_restore_gets_the_whole_page(client: Client, catalog: None) -> None:
    response = client.get(
        HOME, {"q": "ket hon"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "XD"}, ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]),
        ({"level": Level.COMMUNE}, ["Thủ tục đăng ký kết hôn", "Thủ tục đăng ký khai sinh"]),
        ({"online": OnlineMode.PARTIAL}, ["Thủ tục đăng ký kết hôn"]),
        ({"online": OnlineMode.NONE, "q": "xay"}, ["Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]),
        ({"field": "HT", "q": "xay dung"}, []),
    ],
)
def test_filters(client: Client, catalog: None, params: dict[str, str], expected: list[str]) -> None:
    html = client.get(HOME, params).content.decode()
    assert names(html) == expected
    if not expected:
        assert "Không tìm thấy thủ tục phù hợp" in html


def test_unknown_filter_values_are_ignored_not_an_error(client: Client, catalog: None) -> None:
    response = client.get(HOME, {"field": "NOPE", "level": "x", "online": "<script>", "page": "abc"})
    assert response.status_code == 200
    assert len(names(response.content.decode())) == 3


def test_pagination_keeps_the_filters(client: Client) -> None:
    for i in range(25):
        make_procedure(f"3.{i:06d}", f"Thủ tục thử nghiệm số {i:02d}")
    first = client.get(HOME, {"q": "thu nghiem"}).content.decode()
    assert len(names(first)) == 20
    assert "Tìm thấy 25 thủ tục" in first
    assert "?q=thu+nghiem&amp;page=2" in first
    second = client.get(HOME, {"q": "thu nghiem", "page": 2}).content.decode()
    assert names(second) == [f"Thủ tục thử nghiệm số {i:02d}" for i in range(20, 25)]


def test_home_query_count_does_not_grow_with_the_list(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        make_procedure(f"4.{i:06d}", f"Thủ tục A{i}", fees=[("Phí", 1000)])
    with django_assert_max_num_queries(6):
        client.get(HOME)
    for i in range(3, 20):
        make_procedure(f"4.{i:06d}", f"Thủ tục A{i}", field=(f"F{i}", f"Lĩnh vực {i}"), fees=[("Phí", 1000)])
    with django_assert_max_num_queries(6):
        response = client.get(HOME)
    assert len(names(response.content.decode())) == 20


def test_detail_page_shows_the_version_in_force(client: Client) -> None:
    make_procedure(
        "2.000488",
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        field=("XD", "Xây dựng"),
        level=Level.DISTRICT,
        online=OnlineMode.PARTIAL,
        time_limit=(5, LimitUnit.DAYS),
        fees=[("Lệ phí cấp giấy phép", 200000), ("Phí thẩm định", 1250000)],
        components=[
            {"name": "Đơn đề nghị cấp giấy phép xây dựng", "kind": ComponentKind.ORIGINAL, "count": 2},
            {"name": "Bản vẽ thiết kế", "kind": ComponentKind.COPY, "required": False},
        ],
        steps=[
            ("Tiếp nhận hồ sơ", Role.OFFICER, Level.DISTRICT),
            ("Thẩm định", Role.SPECIALIST, Level.DISTRICT),
        ],
        implementing_agency="UBND cấp huyện",
        legal_basis="Luật Xây dựng 2014",
    )
    response = client.get(reverse("portal:procedure_detail", args=["2.000488"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ</h1>" in html
    assert "200.000 đ" in html
    assert "1.250.000 đ" in html
    assert "05 ngày làm việc" in html
    assert "Đơn đề nghị cấp giấy phép xây dựng" in html
    assert "Bản sao" in html
    assert re.search(
        r"Đơn đề nghị cấp giấy phép xây dựng</th>\s*<td[^>]*>Bản chính</td>\s*<td[^>]*>2</td>", html
    )
    assert re.search(
        r"Bản vẽ thiết kế</th>\s*<td[^>]*>Bản sao</td>\s*<td[^>]*>1</td>\s*<td[^>]*>Không</td>", html
    )
    assert "Thẩm định" in html
    assert "UBND cấp huyện" in html
    assert "Luật Xây dựng 2014" in html
    assert "Một phần" in html
    assert "Nộp hồ sơ trực tuyến" in html
    assert re.search(
        r'<a class="usa-button" href="/thu-tuc/[^"]+/nop-truc-tuyen/">Nộp hồ sơ trực tuyến', html
    )


def test_detail_page_of_an_offline_same_day_procedure(client: Client) -> None:
    make_procedure(
        "1.001193", "Thủ tục đăng ký khai sinh", online=OnlineMode.NONE, time_limit=(0, LimitUnit.SAME_DAY)
    )
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Trong ngày" in html
    assert "Nộp trực tiếp tại Bộ phận Một cửa" in html
    assert "Nộp hồ sơ trực tuyến" not in html


def test_detail_of_an_unknown_or_expired_procedure_is_a_vietnamese_404(client: Client) -> None:
    make_procedure("5.000001", "Thủ tục đã hết hiệu lực", valid_to=__import__("datetime").date(2025, 12, 31))
    for code in ("0.000000", "5.000001"):
        response = client.get(f"/thu-tuc/{code}/")
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.content.decode()


def test_language_switch_to_english_changes_the_strings(client: Client, catalog: None) -> None:
    assert "Tra cứu thủ tục hành chính" in client.get(HOME).content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(HOME).content.decode()
    assert 'lang="en"' in html
    assert "Look up administrative procedures" in html
    assert "Found 3 procedures" in html
    detail = client.get("/thu-tuc/2.000488/").content.decode()
    assert "75,000 VND" in detail
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert "Tra cứu thủ tục hành chính" in client.get(HOME).content.decode()


def test_sandbox_banner_and_skip_link(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANDBOX = True
    html = client.get(HOME).content.decode()
    assert "MÔI TRƯỜNG THỬ NGHIỆM" in html
    assert 'class="usa-skipnav" href="#main-content"' in html
    settings.SANDBOX = False
    assert "MÔI TRƯỜNG THỬ NGHIỆM" not in client.get(HOME).content.decode()


@pytest.mark.parametrize("path", ["/", "/thu-tuc/1.001193/", "/dang-nhap/", "/khong-co/"])
def test_csp_header_and_no_inline_script_without_nonce(client: Client, catalog: None, path: str) -> None:
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce, csp
    assert "style-src 'self'" in csp
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce.group(1)}"' in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_header_login_leads_to_the_citizen_choice_which_offers_the_staff_login(client: Client) -> None:
    home = client.get("/").content.decode()
    assert '<a href="/auth/login/">Đăng nhập</a>' in home
    choice = client.get("/auth/login/").content.decode()
    assert '<a class="usa-button usa-button--outline" href="/dang-nhap/">Cán bộ đăng nhập</a>' in choice
    staff = client.get("/dang-nhap/").content.decode()
    assert '<a href="/auth/login/">đăng nhập bằng tài khoản định danh điện tử</a>' in staff
