"""PAdES signing with the sandbox CA, checked by two independent verifiers: poppler's pdfsig and pyHanko's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections import OrderedDict
from pathlib import Path

import pytest
from django.test import override_settings
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.signatures import pdf
from motcua.signatures.ca import sandbox_ca
from motcua.signatures.services import outcome_of, pdf_signatures_verify
from motcua.signatures.signers import signer_plugins, timestamper

from .helpers import amended, document, pdfsig, run, stamp, tampered, unit_signer


@pytest.fixture(scope="module")
def signed_lta() -> bytes:
    """One B-LTA signature of the sandbox unit (sandbox TSA), with the sandbox CRL embedded."""
    with override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL="sandbox"):
        plugin = signer_plugins["sandbox"]
        return pdf.pdf_sign(
            document(),
            signer=plugin.signer(),
            stamp=stamp(),
            validation_context=plugin.validation_context(),
            timestamper=timestamper(),
        )


def test_pdfsig_reports_a_valid_signature_of_the_sandbox_unit_certificate(
    signed_lta: bytes, tmp_path: Path
) -> None:
    report = pdfsig(signed_lta, tmp_path)
    first = report.split("Signature #2")[0]
    assert "Signature #1" in first
    assert "Văn phòng UBND tỉnh (sandbox)" in first
    assert "Signature Type: ETSI.CAdES.detached" in first  # PAdES
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate Validation: Certificate is Trusted." in first
    assert "Signature #2" in report  # the document timestamp of B-LTA


def test_pdfsig_does_not_trust_the_chain_without_the_sandbox_root(signed_lta: bytes, tmp_path: Path) -> None:
    first = pdfsig(signed_lta, tmp_path, trust_sandbox_root=False).split("Signature #2")[0]
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate is Trusted" not in first


def test_pyhanko_validator_reports_intact_valid_trusted_with_timestamp_and_revocation(
    signed_lta: bytes,
) -> None:
    reports = pdf_signatures_verify(signed_lta)
    signature, doc_timestamp = reports
    assert signature.kind == "signature"
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)
    assert signature.signer == "Văn phòng UBND tỉnh (sandbox)"
    assert signature.issuer == "motcua Sandbox Issuing CA"
    assert signature.chain == [
        "motcua Sandbox Root CA",
        "motcua Sandbox Issuing CA",
        "Văn phòng UBND tỉnh (sandbox)",
    ]
    assert signature.timestamp is not None
    assert signature.signed_at is not None
    assert signature.revocation == "good"
    assert signature.modified_after_signing is False
    assert doc_timestamp.kind == "document_timestamp"
    assert doc_timestamp.trusted
    assert doc_timestamp.signer == "motcua Sandbox TSA"
    assert outcome_of(reports) == "valid"


def test_the_validation_info_is_embedded_b_lt(signed_lta: bytes) -> None:
    assert b"/DSS" in signed_lta
    assert b"/CRLs" in signed_lta


def test_the_visible_stamp_carries_signer_unit_and_time_in_vietnamese(
    signed_lta: bytes, tmp_path: Path
) -> None:
    target = tmp_path / "signed.pdf"
    target.write_bytes(signed_lta)
    text = run("pdftotext", str(target), "-")
    assert "Ký bởi: Trần Văn Lãnh Đạo" in text
    assert "Đơn vị: UBND xã Tiền Phong" in text
    assert "Thời gian: 15:30:00 ngày 04/12/2026" in text  # 08:30 UTC in Asia/Ho_Chi_Minh


def test_a_tampered_copy_is_detected_by_both_verifiers(signed_lta: bytes, tmp_path: Path) -> None:
    bad = tampered(signed_lta)
    reports = pdf_signatures_verify(bad)
    assert reports[0].intact is False or reports[0].valid is False
    assert outcome_of(reports) == "invalid"
    first = pdfsig(bad, tmp_path).split("Signature #2")[0]
    assert "Signature is Valid" not in first


def test_a_change_after_signing_is_reported(signed_lta: bytes, tmp_path: Path) -> None:
    reports = pdf_signatures_verify(amended(signed_lta))
    signature = reports[0]
    assert signature.intact
    assert signature.valid
    assert signature.modified_after_signing is True
    assert signature.problem
    assert outcome_of(reports) == "invalid"
    assert "Not total document signed" in pdfsig(amended(signed_lta), tmp_path)


def test_a_revoked_certificate_is_detected_through_the_sandbox_crl() -> None:
    ca = sandbox_ca()
    revoked = pdf.KeySigner(
        certificate=ca.revoked.certificate,
        key=ca.revoked.key,
        chain=[ca.issuing.certificate, ca.root.certificate],
    )
    signed = pdf.pdf_sign(document(), signer=revoked, stamp=stamp(), validation_context=None)
    (signature,) = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.valid
    assert signature.revocation == "revoked"
    assert signature.revoked_at is not None
    assert signature.trusted is False
    assert "thu hồi" in signature.problem
    assert outcome_of([signature]) == "invalid"


def test_signing_with_the_revoked_certificate_and_validation_info_is_refused() -> None:
    """B-LT signing validates the chain first: the sandbox CRL stops a revoked certificate."""
    ca = sandbox_ca()
    revoked = pdf.KeySigner(
        certificate=ca.revoked.certificate,
        key=ca.revoked.key,
        chain=[ca.issuing.certificate, ca.root.certificate],
    )
    with override_settings(MOTCUA_SIGNER="sandbox"), pytest.raises(Exception, match="could not be validated"):
        pdf.pdf_sign(
            document(),
            signer=revoked,
            stamp=stamp(),
            validation_context=signer_plugins["sandbox"].validation_context(),
        )


@override_settings(SANDBOX=False)
def test_the_sandbox_root_is_not_trusted_outside_the_sandbox(signed_lta: bytes) -> None:
    reports = pdf_signatures_verify(signed_lta)
    assert reports[0].intact
    assert reports[0].valid
    assert reports[0].trusted is False
    assert outcome_of(reports) == "untrusted"


def test_a_configured_trust_root_is_trusted(signed_lta: bytes, tmp_path: Path) -> None:
    root = tmp_path / "national-root.pem"
    root.write_bytes(sandbox_ca().root.cert_pem)
    with override_settings(SANDBOX=False, MOTCUA_SIGNATURE_TRUST_ROOTS=[str(root)]):
        assert pdf_signatures_verify(signed_lta)[0].trusted is True


def test_twenty_pages_sign_and_verify() -> None:
    signed = pdf.pdf_sign(document(20), signer=unit_signer(), stamp=stamp(), validation_context=None)
    (signature,) = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.valid
    assert signature.trusted


def test_a_second_signature_keeps_the_first_valid() -> None:
    once = pdf.pdf_sign(document(), signer=unit_signer(), stamp=stamp(), validation_context=None)
    twice = pdf.pdf_sign(once, signer=unit_signer(), stamp=stamp(), validation_context=None)
    first, second = pdf_signatures_verify(twice)
    assert first.field != second.field
    assert first.intact
    assert first.valid
    assert not first.modified_after_signing
    assert second.intact
    assert second.valid


def _stamp_rects(data: bytes) -> list[tuple[float, float, float, float]]:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [tuple(float(v) for v in sig.sig_field["/Rect"]) for sig in reader.embedded_regular_signatures]  # type: ignore[misc]


def test_each_signature_s_stamp_has_its_own_place_on_the_page() -> None:
    """A result signed by the unit, then by the leader (or a certified copy signed again): the stamps used to
    be drawn on top of each other at the bottom right of the last page."""
    data = document()
    for _ in range(4):
        data = pdf.pdf_sign(data, signer=unit_signer(), stamp=stamp(), validation_context=None)
    rects = _stamp_rects(data)
    assert len(rects) == 4
    page = PdfFileReader(io.BytesIO(data), strict=False).find_page_for_modification(-1)[0].get_object()
    x1, y1, x2, y2 = (float(v) for v in page["/MediaBox"])
    for i, (left, bottom, right, top) in enumerate(rects):
        assert x1 <= left < right <= x2
        assert y1 <= bottom < top <= y2
        for other in rects[i + 1 :]:
            apart = right <= other[0] or other[2] <= left or top <= other[1] or other[3] <= bottom
            assert apart, f"stamps {rects[i]} and {other} overlap"
    assert all(sig.intact and sig.valid for sig in pdf_signatures_verify(data))


@pytest.mark.parametrize(
    "data", [b"", b"not a pdf", b"%PDF-1.7\n garbage \x00\xff", b"%PDF-1.4\n" + b"A" * 5000]
)
def test_garbage_is_not_a_pdf(data: bytes) -> None:
    with pytest.raises(pdf.NotAPdf):
        pdf.pdf_verify(data, roots=[])
    with pytest.raises(pdf.NotAPdf):
        pdf.pdf_sign(data, signer=unit_signer(), stamp=stamp(), validation_context=None)


def test_an_unsigned_pdf_has_no_signatures() -> None:
    assert pdf.pdf_verify(document(), roots=[]) == []


def test_a_cms_larger_than_the_reserved_room_is_signed_again_measured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "RESERVED", 512)  # far too small for three certificates
    signed = pdf.pdf_sign(document(), signer=unit_signer(), stamp=stamp(), validation_context=None)
    (signature,) = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.trusted


# --- the stamp's font program, cached across signatures ---


def stamp_font_program(data: bytes, field: str) -> TTFont:
    """The TrueType program embedded for the stamp of the signature field ``field``."""
    reader = PdfFileReader(io.BytesIO(data))
    (sig,) = (s for s in reader.embedded_signatures if s.field_name == field)
    fonts = sig.sig_field["/AP"]["/N"]["/Resources"]["/Font"]
    (font,) = (f.get_object() for f in fonts.values())
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    return TTFont(io.BytesIO(descriptor["/FontFile2"].data))


def assert_draws(program: TTFont, text: str) -> None:
    cmap, glyf = program.getBestCmap(), program["glyf"]
    for char in set(text) - {" "}:
        assert ord(char) in cmap, char
        assert glyf[cmap[ord(char)]].numberOfContours != 0, char  # an outline, not an emptied glyph


def test_the_stamp_font_program_is_cached_and_has_every_glyph_of_each_stamp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pdf, "_programs", OrderedDict())
    first = pdf.pdf_sign(document(), signer=unit_signer(), stamp=stamp(), validation_context=None)
    later = dataclasses.replace(stamp(), at=dt.datetime(2027, 3, 9, 1, 47, 56, tzinfo=dt.UTC))
    second = pdf.pdf_sign(document(), signer=unit_signer(), stamp=later, validation_context=None)
    assert len(pdf._programs) == 1  # only the digits of the time differ: the same program
    other = pdf.StampText(
        title="Giấy khai sinh bản sao", signer="Nguyễn Thị Ưng Ỹ", unit="UBND phường Quảng Ơn", at=later.at
    )
    third = pdf.pdf_sign(second, signer=unit_signer(), stamp=other, validation_context=None)
    assert len(pdf._programs) == 2
    field = f"{pdf.FIELD_PREFIX}-1"
    assert_draws(stamp_font_program(first, field), "Trần Văn Lãnh Đạo UBND xã Tiền Phong 15:30:00 04/12/2026")
    assert_draws(stamp_font_program(second, field), "Thời gian: 08:47:56 ngày 09/03/2027")
    assert_draws(stamp_font_program(third, f"{pdf.FIELD_PREFIX}-2"), "Nguyễn Thị Ưng Ỹ Quảng Ơn khai sinh")
    for signed in (first, second, third):
        assert all(s.intact and s.valid and s.trusted for s in pdf_signatures_verify(signed))
