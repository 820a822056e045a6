"""Uploads and generated files on S3-compatible object storage (issue 17, item 5).

An S3-protocol server (moto's) runs on loopback for the test; the project's own settings for
``MOTCUA_S3_BUCKET`` are built by re-reading the settings module with the environment set, so what is tested is
what production configures.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import override_settings

from motcua.documents.services import dossier_result_attach
from motcua.documents.tests import files
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.factories import dossier_in
from motcua.portal.tests.submission_factories import make_world

pytestmark = pytest.mark.django_db
BUCKET = "motcua-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_storages(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    env = {
        "MOTCUA_S3_BUCKET": BUCKET,
        "MOTCUA_S3_ENDPOINT_URL": s3_endpoint,
        "MOTCUA_S3_REGION": "us-east-1",
        "MOTCUA_S3_ACCESS_KEY_ID": "testing",
        "MOTCUA_S3_SECRET_ACCESS_KEY": "testing",
        "MOTCUA_S3_PREFIX": "motcua",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    from motcua.config.settings import base

    storages = importlib.reload(base).STORAGES  # the settings as production builds them from the environment
    for key in env:
        monkeypatch.delenv(key)
    importlib.reload(base)
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    with override_settings(STORAGES=storages):
        yield client


def _keys(client: Any) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_the_setting_selects_s3(s3_storages: Any) -> None:
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    name = default_storage.save("results/probe.txt", ContentFile(b"xin chao"))
    assert f"motcua/{name}" in _keys(s3_storages)
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"xin chao"
    default_storage.delete(name)
    assert f"motcua/{name}" not in _keys(s3_storages)


def test_a_result_file_goes_to_the_bucket_and_reads_back(s3_storages: Any) -> None:
    world = make_world()
    dossier = dossier_in(Status.RESOLVED, version=world.version, unit=world.unit, result_note="GP 1/2026")
    content = files.pdf("Giấy phép số 1/2026")
    (upload,) = dossier_result_attach(
        dossier=dossier, actor=world.officer, files=[files.upload("gp.pdf", content)]
    )
    assert f"motcua/{upload.stored_name}" in _keys(s3_storages)
    body = s3_storages.get_object(Bucket=BUCKET, Key=f"motcua/{upload.stored_name}")["Body"].read()
    assert body == content
    with default_storage.open(upload.stored_name, "rb") as handle:
        assert handle.read() == content
