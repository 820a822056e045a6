"""Two application nodes on one PostgreSQL database and one shared storage (issue 17, item 5).

Two gunicorn processes (ports of their own, as two machines behind the proxy would be) serve the test
database; the files of both go to one S3-protocol bucket (moto's server on loopback). An officer's counter
intake goes to node A; the citizen reads the dossier through the public look-up on node B, and the officer
reads it through the staff API on node B.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection

from motcua.accounts.services import api_token_get_or_create
from motcua.dossiers.tests.factories import UnitFactory, procedure_version, staff
from motcua.organisations.constants import Level, Role

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[str]]:
    from moto.server import ThreadedMotoServer

    s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    s3.start()
    host, port = s3.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket="motcua-nodes")
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "motcua.config.settings",
        "MOTCUA_SANDBOX": "1",
        "MOTCUA_TESTING": "",
        "MOTCUA_STATIC_FROM_SOURCE": "1",
        "MOTCUA_REFERENCE_CACHE_CHECK_SECONDS": "0.05",
        "MOTCUA_S3_BUCKET": "motcua-nodes",
        "MOTCUA_S3_ENDPOINT_URL": endpoint,
        "MOTCUA_S3_REGION": "us-east-1",
        "MOTCUA_S3_ACCESS_KEY_ID": "testing",
        "MOTCUA_S3_SECRET_ACCESS_KEY": "testing",
        "MOTCUA_VAR_DIR": str(tmp_path),
        "PYTHONPATH": "src",
    }
    processes, urls = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(  # noqa: S603 (this virtualenv's gunicorn, fixed arguments)
                [
                    gunicorn,
                    "motcua.config.wsgi:application",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "1",
                    "--no-control-socket",  # two masters on one machine would share ~/.gunicorn/gunicorn.ctl
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / f"node-{len(processes)}.log").open("w"),
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120  # two Django start-ups on a busy machine
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                        break
                except requests.RequestException:  # not listening yet, or the worker still loading
                    pass
                assert time.monotonic() < deadline, (tmp_path / "node-0.log").read_text()[-2000:]
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        s3.stop()


def test_an_intake_on_one_node_is_read_on_the_other(nodes: list[str]) -> None:
    node_a, node_b = nodes
    province = UnitFactory(code="25", name="Tỉnh", level=Level.PROVINCE, agency_code="")
    unit = UnitFactory(code="8707", name="Phường Vĩnh Yên", parent=province, agency_code="000.00.14.H56")
    officer = staff(unit, Role.OFFICER, username="motcua_a")
    procedure_version(code="1.001193", units=(unit,))
    token = api_token_get_or_create(username=officer.username).key
    headers = {"Authorization": f"Token {token}"}
    intake = {
        "procedure": "1.001193",
        "unit": "8707",
        "applicant": {"kind": "citizen", "name": "Trần Thị Bình", "id_number": "026098765412"},
    }
    created = requests.post(f"{node_a}/api/v1/dossiers/", json=intake, headers=headers, timeout=30)
    assert created.status_code == 201, created.text[:500]
    code = created.json()["code"]
    public = requests.get(f"{node_b}/api/v1/public/dossiers/{code}/", timeout=30)
    assert public.status_code == 200, public.text[:300]
    assert public.json()["code"] == code
    staff_view = requests.get(f"{node_b}/api/v1/dossiers/{code}/", headers=headers, timeout=30)
    assert staff_view.status_code == 200
    assert staff_view.json()["status"] == "received"
    assert requests.get(f"{node_a}/api/v1/public/dossiers/{code}/", timeout=30).json() == public.json()
