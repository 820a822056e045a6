"""VietQR: the EMVCo payload byte for byte (INTEGRATIONS.md's sample, a published dynamic sample), the CRC,
the plugin's orders, the QR on the citizen's page and on Mẫu 01."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.core.errors import ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import Method, PaymentStatus
from motcua.payments.contrib.vietqr import payload_for, protocol
from motcua.payments.gateways import payment_gateways
from motcua.payments.models import Payment
from motcua.payments.services import payment_create, vietqr_order_for

from .conftest import CHARGE, FEE
from .pdf import needs_pdftotext, pdf_text

# INTEGRATIONS.md "Payments": a real static VietQR (BIN 970416, account 257678859).
SPEC_SAMPLE = "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F"
# Published by github.com/subiz/vietqr (README): 120,000 VND to VietinBank 0011001932418, "ủng hộ lũ lụt".
PUBLISHED_DYNAMIC = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA5303704540612000058"
    "02VN62170813ung ho lu lut6304C15C"
)


def test_crc16_ccitt_false_check_value() -> None:
    assert protocol.crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value
    assert protocol.crc16_ccitt_false(b"") == 0xFFFF


def test_the_spec_sample_is_reproduced_byte_for_byte() -> None:
    assert protocol.payload(bank_bin="970416", account="257678859") == SPEC_SAMPLE
    assert protocol.parse(SPEC_SAMPLE)["63"] == "AE9F"


def test_a_published_dynamic_sample_is_reproduced_byte_for_byte() -> None:
    built = protocol.payload(
        bank_bin="970415", account="0011001932418", amount=120_000, purpose="ủng hộ lũ lụt"
    )
    assert built == PUBLISHED_DYNAMIC
    fields = protocol.parse(built)
    assert (fields["01"], fields["54"], fields["62"]) == ("12", "120000", "0813ung ho lu lut")


def test_a_changed_character_breaks_the_crc() -> None:
    tampered = PUBLISHED_DYNAMIC.replace("120000", "920000")
    with pytest.raises(ValueError, match="CRC"):
        protocol.parse(tampered)


@hypothesis_settings(deadline=None)  # a loaded CI machine, not the code, makes an example slow
@given(
    amount=st.integers(min_value=1, max_value=10**12),
    account=st.text(alphabet="0123456789ABCDEFGHIJ", min_size=1, max_size=19),
    purpose=st.from_regex(r"MC[0-9]{14}", fullmatch=True),
)
def test_payloads_parse_back(amount: int, account: str, purpose: str) -> None:
    text = protocol.payload(bank_bin="970436", account=account, amount=amount, purpose=purpose)
    fields = protocol.parse(text)
    assert fields["54"] == str(amount)
    assert protocol.parse_tlv(fields["62"]) == {"08": purpose}
    merchant = protocol.parse_tlv(fields["38"])
    assert protocol.parse_tlv(merchant["01"]) == {"00": "970436", "01": account}
    assert text.endswith(f"{protocol.crc16_ccitt_false(text[:-4].encode()):04X}")


def test_bad_input_is_refused() -> None:
    for kwargs in (
        {"bank_bin": "97041", "account": "1"},
        {"bank_bin": "970415", "account": ""},
        {"bank_bin": "970415", "account": "12 3"},
        {"bank_bin": "970415", "account": "1", "amount": 0},
        {"bank_bin": "970415", "account": "1", "amount": True},
    ):
        with pytest.raises(ValueError, match="must be"):
            protocol.payload(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- the plugin


@pytest.mark.django_db
def test_a_vietqr_order_waits_for_the_statement_and_is_handed_out_again(
    awaiting: Dossier, world: World
) -> None:
    assert payment_gateways["vietqr"].is_enabled()  # sandbox default
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    assert (order.amount, order.status, order.expires_at, order.pay_url) == (
        FEE + CHARGE,
        PaymentStatus.PENDING,
        None,
        "",
    )
    again = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    assert again.pk == order.pk
    assert vietqr_order_for(dossier=awaiting) == order
    fields = protocol.parse(payload_for(order))
    assert fields["54"] == str(FEE + CHARGE)
    assert protocol.parse_tlv(fields["62"]) == {"08": order.reference}


@pytest.mark.django_db
def test_vietqr_off_is_refused(awaiting: Dossier, world: World, settings: object) -> None:
    settings.MOTCUA_PAYMENT_GATEWAYS = "vnpay"  # type: ignore[attr-defined]
    with pytest.raises(ValidationFailed) as refused:
        payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    assert refused.value.code == "method_unavailable"
    assert vietqr_order_for(dossier=awaiting) is None


@pytest.mark.django_db
def test_the_check_names_missing_settings(settings: object) -> None:
    settings.MOTCUA_VIETQR_BANK_BIN = "97041"  # type: ignore[attr-defined]
    settings.MOTCUA_VIETQR_ACCOUNT = ""  # type: ignore[attr-defined]
    problems = payment_gateways["vietqr"].check()
    assert any("MOTCUA_VIETQR_BANK_BIN" in p for p in problems)
    assert any("MOTCUA_VIETQR_ACCOUNT" in p for p in problems)


@pytest.mark.django_db
def test_the_citizen_sees_the_qr_on_the_payment_page(awaiting: Dossier, world: World, client: Client) -> None:
    from motcua.accounts.models import User
    from motcua.portal.tests.submission_factories import login

    citizen = User.objects.create(username="026012345612", kind="citizen", citizen_id="026012345612")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=citizen)
    login(client, citizen)
    page = client.get(f"/ho-so-cua-toi/{awaiting.code}/")
    assert "Chuyển khoản bằng mã VietQR" in page.content.decode()
    response = client.post(f"/ho-so-cua-toi/{awaiting.code}/thanh-toan/vietqr/")
    assert response.status_code == 302
    order = Payment.objects.get(dossier=awaiting, method=Method.VIETQR)
    page = client.get(response["Location"]).content.decode()
    assert order.reference in page
    assert "data:image/png;base64," in page
    assert "25.000" in page
    assert payload_for(order) in page


# ---------------------------------------------------------------------------------------------- Mẫu 01


@pytest.mark.django_db
@needs_pdftotext
def test_form_01_prints_the_vietqr_when_a_fee_is_due(world: World, fees: object, tmp_path: Path) -> None:
    from motcua.dossiers.printing import dossier_form_render
    from motcua.dossiers.tests.factories import dossier_in

    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    pdf = dossier_form_render(dossier=dossier, form="01")
    text = pdf_text(pdf, tmp_path)
    assert "Trang 1/1" in text  # still one A5 page (the forms' footer counts the pages)
    order = Payment.objects.get(dossier=dossier, method=Method.VIETQR)
    assert "Phí, lệ phí phải nộp: 25.000 đồng" in text
    assert "VAN PHONG UBND" not in text  # the holder is on the citizen's page; the form stays one page
    assert order.reference in text
    assert "113000006789" in text
    # printed again: the same order, not a second one
    dossier_form_render(dossier=dossier, form="01")
    assert Payment.objects.filter(dossier=dossier, method=Method.VIETQR).count() == 1


@pytest.mark.django_db
@needs_pdftotext
def test_form_01_has_no_qr_when_nothing_is_due(world: World, tmp_path: Path) -> None:
    from motcua.dossiers.printing import dossier_form_render
    from motcua.dossiers.tests.factories import dossier_in

    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)  # no fees
    text = pdf_text(dossier_form_render(dossier=dossier, form="01"), tmp_path)
    assert "Phí, lệ phí phải nộp" not in text
    assert "Trang 1/1" in text
    assert not Payment.objects.filter(dossier=dossier).exists()
    assert CHARGE  # (the fixture constants are the fees of the test above)


@pytest.mark.django_db
def test_the_api_opens_a_vietqr_order_with_its_payload(awaiting: Dossier, world: World) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.officer_a)
    response = client.post(f"/api/v1/dossiers/{awaiting.code}/payments/", {"method": "vietqr"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    order = Payment.objects.get(pk=body["id"])
    assert (body["method"], body["amount"], body["status"], body["pay_url"]) == (
        "vietqr",
        25_000,
        "pending",
        None,
    )
    assert body["vietqr"] == {
        "payload": payload_for(order),
        "bank_bin": "970415",
        "account": "113000006789",
        "account_name": "VAN PHONG UBND TINH VINH PHUC",
        "amount": 25_000,
        "purpose": order.reference,
    }
    listed = client.get(f"/api/v1/dossiers/{awaiting.code}/payments/").json()
    assert listed["results"][0]["vietqr"]["purpose"] == order.reference
    cash = client.post(
        f"/api/v1/dossiers/{awaiting.code}/payments/", {"method": "bank_transfer"}, format="json"
    )
    assert cash.status_code == 400  # assigned from the statement only
