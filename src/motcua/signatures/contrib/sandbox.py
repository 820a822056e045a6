"""``sandbox``: the sandbox CA's unit certificate (sandbox mode only; ``motcua load-demo`` makes the CA)."""

from __future__ import annotations

from pyhanko.sign import signers

from .. import pdf
from ..ca import sandbox_ca
from ..signers import SignerPlugin, signer_plugins


@signer_plugins.register("sandbox")
class SandboxSigner(SignerPlugin):
    label = "Chứng thư số thử nghiệm của đơn vị (sandbox)"
    sandbox = True

    def signer(self) -> signers.Signer:
        ca = sandbox_ca()
        key = (ca.directory, ca.unit.certificate.serial_number)
        cached = _signers.get(key)
        if cached is None:
            cached = pdf.KeySigner(
                certificate=ca.unit.certificate,
                key=ca.unit.key,
                chain=[ca.issuing.certificate, ca.root.certificate],
            )
            _signers.clear()
            _signers[key] = cached
        return cached


_signers: dict[object, pdf.KeySigner] = {}
