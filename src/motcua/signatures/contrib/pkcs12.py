"""``pkcs12``: the organisation's certificate and key in a PKCS#12 (.p12/.pfx) file.

``MOTCUA_SIGNER_PKCS12_FILE`` (path) and ``MOTCUA_SIGNER_PKCS12_PASSWORD`` (from the environment, never
committed). The file's chain (issuing CAs) is embedded in each signature.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from pyhanko.sign import signers

from .. import pdf
from ..signers import SignerPlugin, SignerUnavailable, signer_plugins


def _load() -> pdf.KeySigner:
    path = Path(settings.MOTCUA_SIGNER_PKCS12_FILE)
    password = settings.MOTCUA_SIGNER_PKCS12_PASSWORD.encode() or None
    try:
        stat = path.stat()
        cache_key = (str(path), stat.st_mtime_ns, stat.st_size, password)
        if cache_key in _cache:
            return _cache[cache_key]
        key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    except (OSError, ValueError) as exc:
        raise SignerUnavailable(f"Không đọc được tệp PKCS#12 {path}: {exc}") from exc
    if key is None or cert is None:
        raise SignerUnavailable(f"Tệp PKCS#12 {path} không chứa khóa và chứng thư số.")
    signer = pdf.KeySigner(certificate=cert, key=key, chain=chain)
    _cache.clear()
    _cache[cache_key] = signer
    return signer


_cache: dict[object, pdf.KeySigner] = {}


@signer_plugins.register("pkcs12")
class Pkcs12Signer(SignerPlugin):
    label = "Chứng thư số của đơn vị (tệp PKCS#12)"

    def signer(self) -> signers.Signer:
        return _load()

    def check(self) -> list[str]:
        path = settings.MOTCUA_SIGNER_PKCS12_FILE
        if not path:
            return ["MOTCUA_SIGNER_PKCS12_FILE is not set (path of the organisation's .p12/.pfx file)"]
        if not Path(path).is_file():
            return [f"MOTCUA_SIGNER_PKCS12_FILE {path!r} is not a readable file"]
        return []
