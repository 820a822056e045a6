"""``pkcs11``: a USB token or HSM through its PKCS#11 module (pyHanko's ``PKCS11Signer``).

``MOTCUA_SIGNER_PKCS11_MODULE`` (the vendor's .so), ``MOTCUA_SIGNER_PKCS11_TOKEN`` (token label),
``MOTCUA_SIGNER_PKCS11_PIN`` and ``MOTCUA_SIGNER_PKCS11_KEY_LABEL`` (the label of the key and of its
certificate). Uses ``python-pkcs11`` (``pyhanko[pkcs11]``, a dependency). Tested against SoftHSM2
(test_pkcs11.py); docs/signatures.md says how to configure a real token.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import structlog
from django.conf import settings
from pyhanko.sign import signers

from ..signers import SignerPlugin, SignerUnavailable, signer_plugins

logger = structlog.get_logger(__name__)


@signer_plugins.register("pkcs11")
class Pkcs11Signer(SignerPlugin):
    label = "Thiết bị ký số / HSM (PKCS#11)"

    def check(self) -> list[str]:
        problems = []
        if importlib.util.find_spec("pkcs11") is None:
            problems.append("python-pkcs11 is not installed (pip install 'pyhanko[pkcs11]')")
        module = settings.MOTCUA_SIGNER_PKCS11_MODULE
        if not module:
            problems.append("MOTCUA_SIGNER_PKCS11_MODULE is not set (path of the token's PKCS#11 library)")
        elif not Path(module).is_file():
            problems.append(f"MOTCUA_SIGNER_PKCS11_MODULE {module!r} is not a file")
        if not settings.MOTCUA_SIGNER_PKCS11_TOKEN:
            problems.append("MOTCUA_SIGNER_PKCS11_TOKEN is not set (the token's label)")
        if not settings.MOTCUA_SIGNER_PKCS11_PIN:
            problems.append("MOTCUA_SIGNER_PKCS11_PIN is not set")
        if not settings.MOTCUA_SIGNER_PKCS11_KEY_LABEL:
            problems.append("MOTCUA_SIGNER_PKCS11_KEY_LABEL is not set (the label of the signing key)")
        return problems

    def signer(self) -> signers.Signer:
        """pyHanko's ``PKCS11Signer`` over a logged-in session, kept open for the next signatures.

        Opening a session and logging in at every signature would leave sessions open on the token (tokens
        allow few); the session is kept per thread (a session runs one operation at a time) and opened again
        when the token no longer answers on it (unplugged, restarted).
        """
        problems = self.check()
        if problems:
            raise SignerUnavailable("Thiết bị ký số chưa sẵn sàng: " + "; ".join(problems))
        key = (
            threading.get_ident(),
            settings.MOTCUA_SIGNER_PKCS11_MODULE,
            settings.MOTCUA_SIGNER_PKCS11_TOKEN,
            settings.MOTCUA_SIGNER_PKCS11_PIN,
            settings.MOTCUA_SIGNER_PKCS11_KEY_LABEL,
        )
        cached = _sessions.get(key)
        if cached is not None:
            session, signer = cached
            if _answers(session):
                return signer
            _close(session)
            del _sessions[key]
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hanko_pkcs11  # python-pkcs11

        session = None
        try:
            session = hanko_pkcs11.open_pkcs11_session(
                settings.MOTCUA_SIGNER_PKCS11_MODULE,
                token_criteria=TokenCriteria(label=settings.MOTCUA_SIGNER_PKCS11_TOKEN),
                user_pin=settings.MOTCUA_SIGNER_PKCS11_PIN,
            )
            signer = hanko_pkcs11.PKCS11Signer(
                session,
                key_label=settings.MOTCUA_SIGNER_PKCS11_KEY_LABEL,
                other_certs_to_pull=None,  # the issuing CAs' certificates kept on the token go into the CMS
            )
            if signer.signing_cert is None:  # loads the key and certificates now, so that errors show here
                raise ValueError("no certificate")
        except Exception as exc:  # the module's errors: token absent, wrong PIN, key or certificate not found
            if session is not None:
                _close(session)
            raise SignerUnavailable(f"Không mở được thiết bị ký số: {type(exc).__name__}: {exc}") from exc
        _sessions[key] = (session, signer)
        return signer


_sessions: dict[object, tuple[Any, signers.Signer]] = {}


def _answers(session: Any) -> bool:
    """Whether the token still answers on ``session``: the signing key is found (one object search)."""
    from pkcs11 import ObjectClass

    try:
        session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=settings.MOTCUA_SIGNER_PKCS11_KEY_LABEL)
    except Exception:
        return False
    return True


def _close(session: Any) -> None:
    try:
        session.close()
    except Exception:  # already closed by the token
        logger.info("pkcs11_session_close_failed")
