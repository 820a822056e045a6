"""The vendored assets survive production's manifest storage, and vendor/README.md lists their checksums."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CHECKOUT = Path(settings.PACKAGE_DIR).parent.parent


def test_collectstatic_with_the_manifest_storage_resolves_every_url(tmp_path: Path) -> None:
    # Production uses whitenoise's CompressedManifestStaticFilesStorage; its failure mode (a url() or
    # sourceMappingURL pointing at a missing file) comes from Django's manifest storage, tested here without
    # the slow compression step.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text(encoding="utf-8")
    for name in (
        "vendor/htmx/htmx.min.js",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/uswds/css/uswds.min.css",
        "vendor/noto-sans/noto-sans.css",
        "vendor/axe-core/axe.min.js",
        "css/motcua.css",
    ):
        assert f'"{name}"' in manifest
    hashed_css = next((tmp_path / "vendor/uswds/css").glob("uswds.min.*.css"))
    assert "../img/usa-icons/search." in hashed_css.read_text(encoding="utf-8")


def test_vendor_readme_lists_every_vendored_file_checksum() -> None:
    script = CHECKOUT / "scripts" / "vendor-checksums"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)  # noqa: S603
    assert result.returncode == 0, result.stderr
