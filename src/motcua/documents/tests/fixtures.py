"""Fixtures shared with the portal tests (imported by both conftest modules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings

from .clamd import clamd_address

__all__ = ["clamd_address", "files_under", "media"]


@pytest.fixture
def media(tmp_path: Path, settings: LazySettings) -> Path:
    """An empty MEDIA_ROOT for the test: assert on what ends up on disk."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]
