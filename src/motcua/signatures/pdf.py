"""PAdES signing and verification of PDFs with pyHanko (no hand-written PDF or CMS).

``pdf_sign`` adds one signature field on the last page with a visible stamp (signer, unit, time in Vietnamese,
Noto Serif), signs it as PAdES with the validation information embedded (certificates and CRLs: B-LT) and, when
a timestamp authority is given, a signature timestamp and a document timestamp (B-LTA).

``pdf_verify`` reports each signature of a PDF: intact, valid, trusted (the chain reaches a trust root of the
settings, or the sandbox root in sandbox mode), signer, issuer, signing time, timestamp, revocation (from the
CRLs/OCSP responses embedded in the document and the sandbox CRL; nothing is fetched from addresses a
document names) and whether the document was changed after signing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import tempfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import (
    CIDFontType2,
    GlyphAccumulator,
    GlyphAccumulatorFactory,
    _read_ps_name,
)
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import AxisAlignment, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from motcua.dossiers.printing import FONTS_DIR

logger = logging.getLogger(__name__)
logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every table it subsets at INFO

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIELD_PREFIX = "motcua-chu-ky"
STAMP_WIDTH, STAMP_HEIGHT, STAMP_MARGIN, STAMP_GAP = 220, 64, 24, 8
RESERVED, RESERVED_WITH_TIMESTAMP = 16 * 1024, 32 * 1024  # bytes for the CMS in /Contents
# What may follow a signature without counting as a change of the document (pyHanko's modification levels):
# validation data and timestamps (LTA updates), and later signatures filling their fields (form filling).
ALLOWED_AFTER_SIGNING = frozenset({"NONE", "LTA_UPDATES", "FORM_FILLING"})


class NotAPdf(ValueError):
    """The bytes are not a PDF pyHanko can read."""


def asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def asn1_key(key: Any) -> asn1_keys.PrivateKeyInfo:
    return asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def load_certificates(data: bytes) -> list[asn1_x509.Certificate]:
    """Certificates from PEM (one or many) or DER bytes."""
    if b"-----BEGIN" in data:
        return [asn1_cert(cert) for cert in x509.load_pem_x509_certificates(data)]
    return [asn1_x509.Certificate.load(data)]


class KeySigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` over a key already loaded by ``cryptography``.

    ``SimpleSigner`` parses its PKCS#8 key again at every signature, which ``cryptography`` makes slow for RSA
    (it checks the key each time: ~0.1 s); this keeps the loaded key. The CMS is still pyHanko's.
    """

    def __init__(self, *, certificate: x509.Certificate, key: Any, chain: Iterable[x509.Certificate]) -> None:
        super().__init__(
            signing_cert=asn1_cert(certificate),
            signing_key=asn1_key(key),
            cert_registry=SimpleCertificateStore.from_certs([asn1_cert(c) for c in chain]),
        )
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        signature_mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            mechanism = signature_mechanism.signature_algo  # "sha256_rsa" → "rsassa_pkcs1v15"
        except ValueError:
            mechanism = signature_mechanism["algorithm"].native
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def dummy_timestamper(
    tsa_cert: x509.Certificate, tsa_key: Any, chain: Iterable[x509.Certificate]
) -> TimeStamper:
    """A timestamp authority in process (pyHanko's own test TSA) signing with ``tsa_key`` (sandbox only)."""
    return DummyTimeStamper(
        tsa_cert=asn1_cert(tsa_cert),
        tsa_key=asn1_key(tsa_key),
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_cert(c) for c in chain]),
    )


# Vietnamese in Latin script: ASCII, Latin-1, Latin Extended-A/B (ă đ ơ ư …), the combining marks and Latin
# Extended Additional (ạ … ỹ), and the usual punctuation.
STAMP_UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x300, 0x324),
    *range(0x1EA0, 0x1EFA),
    *range(0x2010, 0x2027),
]


@cache
def _stamp_font() -> str:
    """Noto Serif cut down to Vietnamese (and unhinted), written once to a cache file.

    pyHanko subsets the stamp's font at every signature; from the whole Noto Serif that took ~0.8 s, from
    this cut a few milliseconds.
    """
    from fontTools import subset

    source = FONTS_DIR / "NotoSerif-Regular.ttf"
    stat = source.stat()
    target = (
        Path(tempfile.gettempdir()) / f"motcua-stamp-{stat.st_size}-{int(stat.st_mtime)}-{os.getuid()}.ttf"
    )
    if not target.exists():
        options = subset.Options()
        options.hinting = False
        options.layout_features = []  # precomposed Vietnamese letters need no shaping; GSUB/GPOS cost 0.2 s
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "hdmx", "VDMX", "LTSH", "gasp"]
        options.glyph_names = False
        options.name_IDs = ["*"]
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=STAMP_UNICODES)
        subsetter.subset(font)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(tmp))
        tmp.replace(target)
    return str(target)


@cache
def _font_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


# Glyphs always put in the stamp's font program besides those of its text, so that the digits of the time and
# of a result's number do not change it: the program is then the same for every stamp of one title, signer
# and unit, and is subset and compressed once (``_programs``).
ALWAYS_IN_STAMP = "0123456789:/.,-() "
PROGRAM_CACHE_SIZE = 256
_programs: OrderedDict[tuple[str, frozenset[int]], bytes] = OrderedDict()


class _StampCIDFont(CIDFontType2):
    """pyHanko's TrueType CID font, its font program (FontFile2) given already subset and compressed."""

    program: bytes = b""

    def set_font_file(self, writer: Any) -> generic.IndirectObject:
        stream = generic.StreamObject(
            {generic.pdf_name("/Filter"): generic.pdf_name("/FlateDecode")}, encoded_data=self.program
        )
        ref = writer.add_object(stream)
        self._font_descriptor[generic.pdf_name("/FontFile2")] = ref
        return ref


class StampGlyphs(GlyphAccumulator):
    """pyHanko's glyph accumulator for the stamp, with the subset font program cached across signatures.

    pyHanko subsets the font (fontTools) and serialises it at every signature: ~6 ms of the ~30 of a
    signature. The subset depends only on the glyphs it keeps (GIDs retained, nothing else changes), so it
    is cached by that set: the stamp's glyphs plus ``ALWAYS_IN_STAMP``. The PDF objects (font dictionaries,
    widths, ToUnicode) are still pyHanko's, per signature.
    """

    def __init__(self, *args: Any, font_file: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font_file = font_file
        # The glyphs are not changed by subsetting: the bounding boxes need no recomputing (that expanded and
        # recompiled every glyph when the subset was saved).
        self.tt.recalcBBoxes = False
        self.tt.recalcTimestamp = False
        if isinstance(self.cidfont_obj, CIDFontType2):
            self.cidfont_obj = _StampCIDFont(self.tt, _read_ps_name(self.tt), self.subset_prefix)

    def _extract_subset(self, options: Any = None) -> None:
        if not isinstance(self.cidfont_obj, _StampCIDFont):  # a CFF font: pyHanko's own way
            super()._extract_subset(options)
            return
        cmap = self.tt.getBestCmap()
        always = {self.tt.getGlyphID(cmap[ord(c)]) for c in ALWAYS_IN_STAMP if ord(c) in cmap}
        gids = frozenset(self._glyphs) | always
        key = (self._font_file, gids)
        program = _programs.get(key)
        if program is None:
            for gid in always:  # so that pyHanko's subsetting keeps them
                self._get_cid_and_width(gid)
            super()._extract_subset(options)
            out = io.BytesIO()
            self.tt.save(out)
            stream = generic.StreamObject(stream_data=out.getvalue())
            stream.compress()
            program = stream.encoded_data
            _programs[key] = program
            while len(_programs) > PROGRAM_CACHE_SIZE:
                _programs.popitem(last=False)
        else:
            _programs.move_to_end(key)
        self.cidfont_obj.program = program


@dataclass(frozen=True)
class StampFontFactory(GlyphAccumulatorFactory):
    """pyHanko's factory, for ``StampGlyphs`` over the font's bytes read once."""

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return StampGlyphs(
            writer=writer,
            font_handle=io.BytesIO(_font_bytes(self.font_file)),
            font_size=self.font_size,
            obj_stream=obj_stream,
            font_file=self.font_file,
        )


@cache
def _stamp_style() -> TextStampStyle:
    return TextStampStyle(
        stamp_text="%(title)s\nKý bởi: %(signer)s\nĐơn vị: %(unit)s\nThời gian: %(at)s",
        text_box_style=TextBoxStyle(
            font=StampFontFactory(_stamp_font()),
            font_size=7,
            leading=9,
        ),
        inner_content_layout=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID, margins=Margins.uniform(4)
        ),
        border_width=1,
        background=None,
    )


def _stamp_box(reader: PdfFileReader, index: int) -> tuple[int, int, int, int]:
    """The box of the document's ``index``-th stamp (0: the first signature) on the last page: the first at
    the bottom right, each next one above it, then a column further left when the page is full (a result
    signed by the unit and by the leader, a copy certified again: stamps never drawn over each other)."""
    node = reader.find_page_for_modification(-1)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # inherited from the page tree
        node = node["/Parent"].get_object()
    x1, y1, x2, y2 = (int(float(v)) for v in node["/MediaBox"])
    per_column = max(1, (y2 - y1 - 2 * STAMP_MARGIN + STAMP_GAP) // (STAMP_HEIGHT + STAMP_GAP))
    columns = max(1, (x2 - x1 - 2 * STAMP_MARGIN + STAMP_GAP) // (STAMP_WIDTH + STAMP_GAP))
    column, row = divmod(index % (per_column * columns), per_column)  # past a full page: over the first again
    right = x2 - STAMP_MARGIN - column * (STAMP_WIDTH + STAMP_GAP)
    left = max(x1 + STAMP_MARGIN, right - STAMP_WIDTH)
    bottom = y1 + STAMP_MARGIN + row * (STAMP_HEIGHT + STAMP_GAP)
    return left, bottom, right, bottom + STAMP_HEIGHT


@dataclass(frozen=True)
class StampText:
    title: str
    signer: str
    unit: str
    at: dt.datetime


def pdf_sign(
    data: bytes,
    *,
    signer: signers.Signer,
    stamp: StampText,
    validation_context: ValidationContext | None,
    timestamper: TimeStamper | None = None,
    reason: str = "Ký số văn bản kết quả giải quyết thủ tục hành chính",
    location: str = "",
) -> bytes:
    """``data`` signed (PAdES, visible stamp); B-LT with ``validation_context``, B-LTA with ``timestamper``."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)  # parsed once: fields, page box, writer
        count = len(reader.embedded_signatures)
        box = _stamp_box(reader, len(reader.embedded_regular_signatures))  # document timestamps have none
    except Exception as exc:  # pyHanko raises many kinds on a broken file
        raise NotAPdf(str(exc)) from exc
    field_name = f"{FIELD_PREFIX}-{count + 1}"
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location or None,
        name=stamp.signer,
        embed_validation_info=validation_context is not None,
        validation_context=validation_context,
        use_pades_lta=timestamper is not None and validation_context is not None,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=_stamp_style(),
        new_field_spec=fields.SigFieldSpec(field_name, on_page=-1, box=box),
    )
    params = {
        "title": stamp.title,
        "signer": stamp.signer,
        "unit": stamp.unit,
        "at": stamp.at.astimezone(VN).strftime("%H:%M:%S ngày %d/%m/%Y"),
    }

    def sign(reserved: int | None, reader: PdfFileReader | None = None) -> bytes:
        out = io.BytesIO()
        pdf_signer.sign_pdf(
            IncrementalPdfFileWriter.from_reader(reader)
            if reader is not None
            else IncrementalPdfFileWriter(io.BytesIO(data), strict=False),
            output=out,
            bytes_reserved=reserved,
            appearance_text_params=params,
        )
        return out.getvalue()

    # Room for the CMS reserved up front, so pyHanko need not sign twice to measure it (a chain of a few
    # certificates; a timestamp token with its TSA's chain). A CMS that does not fit is signed again, measured.
    try:
        return sign(RESERVED_WITH_TIMESTAMP if timestamper else RESERVED, reader)
    except SigningError as exc:
        if "larger than expected" not in str(exc) and "too small" not in str(exc).lower():
            raise
        return sign(None)


# --- verification ---


@dataclass
class SignatureReport:
    """What ``pdf_verify`` says of one signature (the API's JSON, the page's table)."""

    field: str
    kind: str  # signature | document_timestamp
    intact: bool
    valid: bool
    trusted: bool
    signer: str
    issuer: str
    signed_at: str | None
    timestamp: str | None
    revocation: str  # good | revoked | unknown
    revoked_at: str | None
    modified_after_signing: bool
    covers_whole_document: bool
    modification_level: str | None
    subfilter: str
    problem: str = ""
    certificate_serial: str = ""
    chain: list[str] = dc_field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(VN).isoformat() if value else None


def _common_name(name: asn1_x509.Name) -> str:
    return str(name.native.get("common_name") or name.human_friendly)


def trust_roots(extra: Iterable[asn1_x509.Certificate] = ()) -> list[asn1_x509.Certificate]:
    """The roots of trust from ``MOTCUA_SIGNATURE_TRUST_ROOTS`` (PEM files) and ``extra``."""
    from django.conf import settings

    roots = list(extra)
    for path in settings.MOTCUA_SIGNATURE_TRUST_ROOTS:
        roots.extend(load_certificates(Path(path).read_bytes()))
    return roots


def _problem(status: PdfSignatureStatus) -> str:
    if not status.intact:
        return "Nội dung đã bị thay đổi sau khi ký (giá trị băm không khớp)."
    if not status.valid:
        return "Chữ ký không hợp lệ về mặt mật mã."
    if status.revoked:
        return "Chứng thư số của người ký đã bị thu hồi."
    if not status.trusted:
        indic = status.trust_problem_indic
        return f"Chứng thư số không dẫn tới chứng thư gốc tin cậy ({getattr(indic, 'name', indic) if indic else 'không rõ'})."
    return ""


def _timestamp_report(sig: Any, context: ValidationContext) -> SignatureReport:
    """A document timestamp (PAdES B-LTA): intact, valid and trusted like a signature, by its TSA."""
    try:
        status = validate_pdf_timestamp(sig, validation_context=context)
    except Exception as exc:
        logger.info("timestamp validation error: %s", exc)
        intact = valid = trusted = False
        signer = issuer = ""
        at = None
        problem = f"Không đọc được dấu thời gian: {type(exc).__name__}."
        level = None
    else:
        intact, valid, trusted = bool(status.intact), bool(status.valid), bool(status.trusted)
        signer, issuer = _common_name(status.signing_cert.subject), _common_name(status.signing_cert.issuer)
        at = _iso(status.timestamp)
        problem = "" if trusted else "Dấu thời gian không hợp lệ hoặc không tin cậy."
        level = status.modification_level
    return SignatureReport(
        field=str(sig.field_name),
        kind="document_timestamp",
        intact=intact,
        valid=valid,
        trusted=trusted,
        signer=signer,
        issuer=issuer,
        signed_at=at,
        timestamp=at,
        revocation="unknown",
        revoked_at=None,
        modified_after_signing=level is not None and level.name not in ALLOWED_AFTER_SIGNING,
        covers_whole_document=False,
        modification_level=level.name if level is not None else None,
        subfilter=str(sig.sig_object.get("/SubFilter", "")),
        problem=problem,
    )


def pdf_verify(
    data: bytes,
    *,
    roots: list[asn1_x509.Certificate],
    crls: Iterable[bytes] = (),
    other_certs: Iterable[asn1_x509.Certificate] = (),
) -> list[SignatureReport]:
    """Each signature of ``data``, checked against ``roots`` (raises ``NotAPdf`` for what is not a PDF)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise NotAPdf(str(exc)) from exc
    if not embedded:
        return []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS (B-B) or a broken one
        dss = None
    kwargs: dict[str, Any] = {
        "trust_roots": roots,
        "crls": [asn1_crl.CertificateList.load(c) for c in crls],
        "other_certs": list(other_certs),
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }
    has_revinfo = bool(kwargs["crls"]) or (dss is not None and bool(dss.crls or dss.ocsps))
    reports = []
    for sig in embedded:
        context = dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)
        if sig.sig_object_type == "/DocTimeStamp":
            reports.append(_timestamp_report(sig, context))
            continue
        try:
            status = validate_pdf_signature(sig, signer_validation_context=context)
        except Exception as exc:  # a malformed signature dictionary or CMS blob
            logger.info("signature validation error: %s", exc)
            reports.append(
                SignatureReport(
                    field=str(sig.field_name),
                    kind="signature",
                    intact=False,
                    valid=False,
                    trusted=False,
                    signer="",
                    issuer="",
                    signed_at=None,
                    timestamp=None,
                    revocation="unknown",
                    revoked_at=None,
                    modified_after_signing=True,
                    covers_whole_document=False,
                    modification_level=None,
                    subfilter="",
                    problem=f"Không đọc được chữ ký: {type(exc).__name__}.",
                )
            )
            continue
        cert = status.signing_cert
        level = status.modification_level
        covers_whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
        modified = not covers_whole and (level is None or level.name not in ALLOWED_AFTER_SIGNING)
        ts = status.timestamp_validity
        # "good" only when trusted with revocation data at hand (soft-fail passes a certificate nobody checked)
        revocation = "revoked" if status.revoked else "good" if status.trusted and has_revinfo else "unknown"
        details = status.revocation_details
        reports.append(
            SignatureReport(
                field=str(sig.field_name),
                kind="signature",
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                signer=_common_name(cert.subject),
                issuer=_common_name(cert.issuer),
                signed_at=_iso(status.signer_reported_dt),
                timestamp=_iso(ts.timestamp) if ts is not None else None,
                revocation=revocation,
                revoked_at=_iso(details.revocation_date) if details is not None else None,
                modified_after_signing=modified,
                covers_whole_document=covers_whole,
                modification_level=level.name if level is not None else None,
                subfilter=str(sig.sig_object.get("/SubFilter", "")),
                problem=_problem(status) or ("Tài liệu đã bị sửa đổi sau khi ký." if modified else ""),
                certificate_serial=format(cert.serial_number, "x"),
                chain=[_common_name(c.subject) for c in status.validation_path]
                if status.validation_path is not None
                else [],
            )
        )
    return reports
