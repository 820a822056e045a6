"""``pkcs11``: a USB token or HSM through its PKCS#11 module (pyHanko's ``PKCS11Signer``).

``MOTCUA_SIGNER_PKCS11_MODULE`` (the vendor's .so), ``MOTCUA_SIGNER_PKCS11_TOKEN`` (token label),
``MOTCUA_SIGNER_PKCS11_PIN`` and optionally ``MOTCUA_SIGNER_PKCS11_KEY_LABEL``. Needs ``python-pkcs11``
(``pip install 'pyhanko[pkcs11]'``), which the default installation does not carry.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.conf import settings
from pyhanko.sign import signers

from ..signers import SignerPlugin, SignerUnavailable, signer_plugins


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
        return problems

    def signer(self) -> signers.Signer:
        problems = self.check()
        if problems:
            raise SignerUnavailable("Thiết bị ký số chưa sẵn sàng: " + "; ".join(problems))
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11 as hanko_pkcs11  # needs python-pkcs11

        try:
            session = hanko_pkcs11.open_pkcs11_session(
                settings.MOTCUA_SIGNER_PKCS11_MODULE,
                token_criteria=TokenCriteria(label=settings.MOTCUA_SIGNER_PKCS11_TOKEN),
                user_pin=settings.MOTCUA_SIGNER_PKCS11_PIN,
            )
            return hanko_pkcs11.PKCS11Signer(
                session, key_label=settings.MOTCUA_SIGNER_PKCS11_KEY_LABEL or None
            )
        except Exception as exc:  # the module's errors: token absent, wrong PIN, key not found
            raise SignerUnavailable(f"Không mở được thiết bị ký số: {type(exc).__name__}: {exc}") from exc
