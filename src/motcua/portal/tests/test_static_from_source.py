"""`make run`: static files served from the source without collectstatic; scripts/serve stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.test import Client, override_settings

CHECKOUT = Path(settings.PACKAGE_DIR).parent.parent
SERVE = CHECKOUT / "scripts" / "serve"


def _static_settings(tmp_path: Path, **env: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['staticfiles']['BACKEND'], getattr(s, 'WHITENOISE_USE_FINDERS', None)]))"
    )
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"MOTCUA_TESTING", "MOTCUA_STATIC_FROM_SOURCE", "DEBUG"}
    }
    environ |= {"DJANGO_SETTINGS_MODULE": "motcua.config.settings", "MOTCUA_SANDBOX": "1"}
    environ |= {"MOTCUA_VAR_DIR": str(tmp_path), **env}
    result = subprocess.run(  # noqa: S603 - a fixed command
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    backend, finders = json.loads(result.stdout.strip().splitlines()[-1])
    return {"backend": backend, "finders": finders}


def test_production_collects_hashed_compressed_files_and_make_run_serves_from_the_source(
    tmp_path: Path,
) -> None:
    production = _static_settings(tmp_path / "prod")
    assert production == {
        "backend": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "finders": None,
    }
    from_source = _static_settings(tmp_path / "run", MOTCUA_STATIC_FROM_SOURCE="1")
    assert from_source == {
        "backend": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "finders": True,
    }
    assert (tmp_path / "run" / "static").is_dir()  # so whitenoise does not warn about a missing STATIC_ROOT


def test_whitenoise_serves_vendored_and_app_files_from_the_finders(tmp_path: Path) -> None:
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # An empty STATIC_ROOT, as `make run` leaves it: nothing has been collected.
    with override_settings(WHITENOISE_USE_FINDERS=True, STATIC_ROOT=tmp_path, STORAGES=storages):
        client = Client()  # a new handler: whitenoise indexes the files when the middleware is built
        for url, snippet in (
            ("/static/vendor/htmx/htmx.min.js", b"htmx"),
            ("/static/css/motcua.css", b"{"),
            ("/static/admin/css/base.css", b"{"),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert snippet in b"".join(response.streaming_content)  # type: ignore[attr-defined]


FAKE_HONCHO = """#!{python}
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
print("fake honcho up", flush=True)
if {exit_code} is not None:
    sys.exit({exit_code})
time.sleep(60)
sys.exit(0)
"""


def _serve_with_fake_honcho(tmp_path: Path, exit_code: int | None) -> subprocess.Popen[str]:
    honcho = tmp_path / "honcho"
    honcho.write_text(FAKE_HONCHO.format(python=sys.executable, exit_code=exit_code), encoding="utf-8")
    honcho.chmod(0o755)
    # Only the serving part of scripts/serve (the preparation steps need the demo database), with BIN pointing
    # at the fake honcho.
    code = (
        "import importlib.machinery, importlib.util, pathlib, sys\n"
        "loader = importlib.machinery.SourceFileLoader('serve', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(importlib.util.spec_from_loader('serve', loader))\n"
        "loader.exec_module(module)\n"
        "module.BIN = pathlib.Path(sys.argv[2])\n"
        "sys.exit(module.serve())\n"
    )
    return subprocess.Popen(  # noqa: S603 - a fixed command
        [sys.executable, "-c", code, str(SERVE), str(tmp_path)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_line(process: subprocess.Popen[str], text: str) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if not line and process.poll() is not None:
            break
    raise AssertionError(f"no line with {text!r}")


def test_serve_exits_0_when_interrupted_and_stops_honcho(tmp_path: Path) -> None:
    process = _serve_with_fake_honcho(tmp_path, exit_code=None)
    try:
        _wait_for_line(process, "fake honcho up")
        process.send_signal(signal.SIGINT)  # Ctrl-C (or make passing on SIGTERM): honcho gets SIGTERM
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0
    assert "Stopped." in output


def test_serve_reports_a_failure_of_honcho(tmp_path: Path) -> None:
    # A process of the Procfile that dies on its own stops honcho with its status: not hidden as a clean stop.
    process = _serve_with_fake_honcho(tmp_path, exit_code=3)
    try:
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 3
    assert "Stopped." not in output
