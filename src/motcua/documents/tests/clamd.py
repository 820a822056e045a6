"""A real clamd for tests: Debian's clamav-daemon started with a tiny local signature database.

No downloads: the database holds only test signatures for the EICAR string (an .hdb whole-file MD5 and an
.ndb body signature, so EICAR embedded in a PDF is found too). Tests skip cleanly when clamd is absent.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua.documents import clamav

from .files import EICAR

CLAMD = "/usr/sbin/clamd"
SIGNATURE = "Motcua.Test.EICAR"


def _database(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "motcua-test.hdb").write_text(
        f"{hashlib.md5(EICAR, usedforsecurity=False).hexdigest()}:{len(EICAR)}:{SIGNATURE}\n"
    )
    (directory / "motcua-test.ndb").write_text(f"{SIGNATURE}:0:*:{EICAR.hex()}\n")


@pytest.fixture(scope="session")
def clamd_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``unix://…`` of a clamd running for the test session (skips when clamav-daemon is not installed)."""
    if not os.path.exists(CLAMD) or shutil.which(CLAMD) is None:
        pytest.skip(
            "clamd not installed (/usr/sbin/clamd; apt-get install clamav-daemon) — virus scan tests skipped"
        )
    base = (
        Path("/tmp") / f"motcua-clamd-{os.getpid()}"
    )  # short path: UNIX socket names are limited to 108 bytes
    base.mkdir(exist_ok=True)
    _database(base / "db")
    socket_path = base / "clamd.sock"
    config = base / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {socket_path}",
                f"DatabaseDirectory {base / 'db'}",
                f"TemporaryDirectory {base}",
                f"LogFile {base / 'clamd.log'}",
                "LogTime yes",
                f"PidFile {base / 'clamd.pid'}",
                "StreamMaxLength 60M",
                "MaxThreads 2",
                "",
            ]
        )
    )
    process = subprocess.Popen(  # noqa: S603  (a fixed binary with our own config file)
        [CLAMD, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    address = f"unix://{socket_path}"
    deadline = time.monotonic() + 60
    try:
        while not clamav.ping(address=address):
            if process.poll() is not None:
                error = process.stderr.read().decode(errors="replace") if process.stderr else ""
                log = (
                    (base / "clamd.log").read_text(errors="replace") if (base / "clamd.log").exists() else ""
                )
                pytest.fail(f"clamd exited with {process.returncode}: {error}\n{log}")
            if time.monotonic() > deadline:
                pytest.fail("clamd did not answer PING within 60 s")
            time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)
