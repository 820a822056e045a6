"""Electronic receipts: amounts in Vietnamese words, one receipt per credit numbered per unit and year without
gaps, the PDF read back with pdftotext, the cancelling receipt of a refund."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.core.errors import Conflict
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.payments.constants import Method, ReceiptKind
from motcua.payments.models import Payment, Receipt, Refund
from motcua.payments.receipts import (
    amount_in_words,
    issue_cancelling_receipt,
    number_in_words,
    receipt_issue,
    receipt_pdf,
)
from motcua.payments.services import payment_create

from .conftest import CHARGE, FEE
from .pdf import needs_pdftotext, pdf_text

EXAMPLES = {
    0: "không",
    5: "năm",
    10: "mười",
    11: "mười một",
    15: "mười lăm",
    21: "hai mươi mốt",
    24: "hai mươi bốn",
    25: "hai mươi lăm",
    101: "một trăm linh một",
    110: "một trăm mười",
    115: "một trăm mười lăm",
    1001: "một nghìn không trăm linh một",
    20_000: "hai mươi nghìn",
    105_000: "một trăm linh năm nghìn",
    1_500_000: "một triệu năm trăm nghìn",
    1_005_000: "một triệu không trăm linh năm nghìn",
    3_800_000: "ba triệu tám trăm nghìn",
    1_000_000_000: "một tỷ",
    1_000_005_000: "một tỷ không trăm linh năm nghìn",
    2_000_000_001: "hai tỷ không trăm linh một",
    1_000_000_000_000: "một nghìn tỷ",
}


@pytest.mark.parametrize(("n", "words"), EXAMPLES.items())
def test_numbers_in_words(n: int, words: str) -> None:
    assert number_in_words(n) == words


def test_amounts_as_receipts_write_them() -> None:
    assert amount_in_words(20_000) == "Hai mươi nghìn đồng"
    assert amount_in_words(1_500_000) == "Một triệu năm trăm nghìn đồng"
    assert amount_in_words(1_000_000_000) == "Một tỷ đồng"
    assert amount_in_words(105_000) == "Một trăm linh năm nghìn đồng"
    with pytest.raises(ValueError, match="whole number"):
        number_in_words(-1)


_UNITS = {
    w: i for i, w in enumerate(["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"])
}


def _group(tokens: list[str]) -> int:
    """Read back one group below a thousand (the test's own reader, independent of the writer)."""
    value = 0
    if "trăm" in tokens:
        i = tokens.index("trăm")
        value, tokens = _UNITS[tokens[i - 1]] * 100, tokens[i + 1 :]
    if not tokens:
        return value
    if tokens[0] == "linh":
        return value + _UNITS[tokens[1]]
    if tokens[0] == "mười":
        rest = tokens[1:]
        return value + 10 + ({"lăm": 5}.get(rest[0], _UNITS.get(rest[0], 0)) if rest else 0)
    if len(tokens) >= 2 and tokens[1] == "mươi":
        rest = tokens[2:]
        unit = {"mốt": 1, "lăm": 5}.get(rest[0], _UNITS.get(rest[0], 0)) if rest else 0
        return value + _UNITS[tokens[0]] * 10 + unit
    assert len(tokens) == 1, tokens
    return value + _UNITS[tokens[0]]


def _read(words: str) -> int:
    tokens = words.split()
    if "tỷ" in tokens:
        i = len(tokens) - 1 - tokens[::-1].index("tỷ")
        return _read(" ".join(tokens[:i])) * 10**9 + (
            _read(" ".join(tokens[i + 1 :])) if tokens[i + 1 :] else 0
        )
    total = 0
    for scale, name in ((10**6, "triệu"), (10**3, "nghìn")):
        if name in tokens:
            i = tokens.index(name)
            total += _group(tokens[:i]) * scale
            tokens = tokens[i + 1 :]
    return total + (_group(tokens) if tokens else 0)


@hypothesis_settings(deadline=None, max_examples=300)
@given(st.integers(min_value=0, max_value=10**15))
def test_words_read_back_to_the_number(n: int) -> None:
    words = number_in_words(n)
    assert _read(words) == n
    tokens = words.split()
    assert "mốt" not in tokens or tokens[tokens.index("mốt") - 1] == "mươi"  # "mốt" only after "mươi"
    assert tokens.count("không") == (1 if n == 0 else words.count("không trăm"))  # no bare "không"


# ------------------------------------------------------------------------------------------- issuing

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_every_credit_gets_one_receipt_numbered_per_unit_and_year(awaiting: Dossier, world: World) -> None:
    first = payment_create(
        dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE, payer_name="Bà Lan"
    )
    second = payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=CHARGE)
    receipts = list(Receipt.objects.order_by("number"))
    assert [(r.payment_id, r.number, r.amount, r.kind) for r in receipts] == [
        (first.pk, 1, FEE, ReceiptKind.RECEIPT),
        (second.pk, 2, CHARGE, ReceiptKind.RECEIPT),
    ]
    assert receipts[0].payer_name == "Bà Lan"
    assert receipts[0].fee_names == "Lệ phí đăng ký; Phí cấp bản sao"
    assert receipts[0].unit_id == awaiting.unit_id
    assert receipt_issue(payment=first) == receipts[0]  # once per payment
    # Another unit has its own sequence.
    other = dossier_in(Status.AWAITING_PAYMENT, version=world.version, unit=world.unit_b)
    paid = payment_create(dossier=other, actor=world.officer_b, method="cash")
    assert Receipt.objects.get(payment=paid).number == 1


@pytestmark_db
def test_a_new_year_starts_at_one(awaiting: Dossier, world: World) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=FEE)
    receipt = Receipt.objects.get(payment=payment)
    nxt = Payment.objects.create(
        dossier=awaiting,
        method=Method.CASH,
        amount=1,
        reference="MC25123100000001",
        created_at=receipt.issued_at,
    )
    later = receipt_issue(payment=nxt, at=dt.datetime(receipt.year + 1, 1, 2, 9, tzinfo=dt.UTC))
    assert (later.year, later.number) == (receipt.year + 1, 1)


@pytestmark_db
@needs_pdftotext
def test_the_receipt_pdf_says_who_paid_what_for_which_dossier(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    payment = payment_create(
        dossier=awaiting, actor=world.officer_a, method="cash", payer_name="Nguyễn Thị Hoa"
    )
    text = pdf_text(receipt_pdf(Receipt.objects.get(payment=payment)), tmp_path)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in text
    assert "Nguyễn Thị Hoa" in text
    assert str(awaiting.code) in text
    assert "Lệ phí đăng ký; Phí cấp bản sao" in text
    assert "25.000 đồng" in text
    assert "Hai mươi lăm nghìn đồng" in text
    assert "Số: 0000001/" in text
    assert "Trang 1/1" in text
    assert payment.reference in text


@pytestmark_db
@needs_pdftotext
def test_a_refund_gets_a_cancelling_receipt(awaiting: Dossier, world: World, tmp_path: Path) -> None:
    payment = payment_create(dossier=awaiting, actor=world.officer_a, method="cash")
    original = Receipt.objects.get(payment=payment)
    refund = Refund.objects.create(
        payment=payment,
        amount=CHARGE,
        full=False,
        reason="Nộp thừa phí cấp bản sao",
        request_id="R1",
        requested_by=world.officer_a,
        requested_at=original.issued_at,
    )
    cancelling = issue_cancelling_receipt(refund=refund)
    assert (cancelling.kind, cancelling.cancels, cancelling.amount, cancelling.number) == (
        ReceiptKind.CANCELLING,
        original,
        CHARGE,
        2,
    )
    assert issue_cancelling_receipt(refund=refund) == cancelling
    text = pdf_text(receipt_pdf(cancelling), tmp_path)
    assert "BIÊN LAI HỦY" in text
    assert f"Hủy biên lai số {original.number_display}" in text
    assert "Năm nghìn đồng" in text
    assert "Nộp thừa phí cấp bản sao" in text


@pytestmark_db
def test_no_cancelling_receipt_without_a_receipt(awaiting: Dossier, world: World) -> None:
    payment = Payment.objects.create(
        dossier=awaiting,
        method=Method.VNPAY,
        amount=FEE,
        reference="MC25010100000009",
        created_at=awaiting.created_at,
    )
    refund = Refund.objects.create(
        payment=payment,
        amount=FEE,
        reason="x",
        request_id="R2",
        requested_by=world.officer_a,
        requested_at=awaiting.created_at,
    )
    with pytest.raises(Conflict) as refused:
        issue_cancelling_receipt(refund=refund)
    assert refused.value.code == "no_receipt"
