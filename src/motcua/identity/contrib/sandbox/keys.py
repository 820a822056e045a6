"""The sandbox provider's RS256 signing key: generated at first use under VAR_DIR, never committed.

``OAUTH2_PROVIDER`` is a ``LazyKeyProviderSettings`` dict: django-oauth-toolkit reads
``OIDC_RSA_PRIVATE_KEY`` from it, and the first read loads (or creates) the PEM file named by
``settings.MOTCUA_SANDBOX_VNEID_KEY_FILE``. This module is imported by the settings: keep it free of models.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any


def load_or_create_private_key(path: Path) -> str:
    """The PEM of the RSA key at ``path``, created (2048 bits, mode 0600) when missing."""
    if path.exists():
        return path.read_text()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text()
    with contextlib.closing(os.fdopen(fd, "wb")) as handle:
        handle.write(pem)
    return pem.decode()


class LazyKeyProviderSettings(dict[str, Any]):
    """``OAUTH2_PROVIDER`` settings whose ``OIDC_RSA_PRIVATE_KEY`` is read from disk on first use."""

    def __missing__(self, key: str) -> Any:
        if key != "OIDC_RSA_PRIVATE_KEY":
            raise KeyError(key)
        from django.conf import settings

        value = load_or_create_private_key(Path(settings.MOTCUA_SANDBOX_VNEID_KEY_FILE))
        self[key] = value
        return value
