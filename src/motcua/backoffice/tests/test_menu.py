"""The crawl (issue 16): each demo role logs in and opens every link of its menu and the public statistics
pages; none answers 4xx/5xx, and each menu shows the work of the role (and nothing the role may not open).

One account per role and kind of unit (commune, department, the provincial centre), the administrator and the
province's statistician: the other demo accounts differ from these only in their unit. About 8-15 s on a
quiet machine: it loads the demo unit tree (299 units) once and opens some 90 pages, the admin index among
them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.core import clock
from motcua.organisations.services import demo_staff_create, demo_units_load

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    *(
        f"{role}-{unit}"
        for unit in ("8707", "25-STP", "25-TTPVHCC")
        for role in ("officer", "specialist", "leader")
    ),
    "admin",
    "statistician-25",
]
PUBLIC = ["/thong-ke/", "/thong-ke/chi-so-766/"]
NAV = re.compile(r'<nav class="mc-nav".*?</nav>', re.S)
HREF = re.compile(r'href="([^"#]+)"')

# what each role's menu must offer (queue slugs) and must not
EXPECTED = {
    "officer": ({"truc-tuyen", "cho-tra", "tat-ca"}, {"cua-toi", "cho-phe-duyet"}),
    "specialist": ({"cua-toi", "tat-ca"}, {"truc-tuyen", "cho-tra", "cho-phe-duyet"}),
    "leader": ({"cho-phe-duyet", "tat-ca"}, {"truc-tuyen", "cho-tra", "cua-toi"}),
    "statistician": (set(), {"truc-tuyen", "cho-tra", "cua-toi", "cho-phe-duyet", "tat-ca"}),
}


@pytest.fixture
def demo() -> Iterator[None]:
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.VN_TZ)):
        demo_units_load()
        demo_staff_create()
        yield


def menu_links(page: str) -> list[str]:
    nav = NAV.search(page)
    assert nav is not None
    return HREF.findall(nav.group(0))


def test_every_menu_link_of_every_demo_role_opens(client: Client, demo: None) -> None:
    for username in ACCOUNTS:  # one test: the demo tree is loaded once
        client.force_login(User.objects.get(username=username))
        _crawl(client, username)


def _crawl(client: Client, username: str) -> None:
    home = client.get("/can-bo/")
    assert home.status_code == 200
    links = menu_links(home.content.decode())
    assert "/can-bo/" in links
    for url in [*links, *PUBLIC]:
        response = client.get(url)
        assert response.status_code == 200, (username, url, response.status_code)
    queues = {m for link in links if (m := _queue(link))}
    role = username.split("-")[0]
    if role in EXPECTED:
        wanted, unwanted = EXPECTED[role]
        assert wanted <= queues, (username, queues)
        assert not queues & unwanted, (username, queues)
    assert ("/can-bo/tiep-nhan/" in links) == (role == "officer")
    assert ("/can-bo/thong-ke/" in links) == (role in {"leader", "statistician", "admin"})
    assert ("/quan-tri/" in links) == (role == "admin")


def _queue(link: str) -> str:
    match = re.fullmatch(r"/can-bo/hang-doi/([a-z-]+)/", link)
    return match.group(1) if match else ""
