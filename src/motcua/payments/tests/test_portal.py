"""The citizen pays from "Hồ sơ của tôi": the fees and what is still due, one button to VNPay's page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import PaymentStatus
from motcua.payments.models import Payment
from motcua.portal.tests.submission_factories import login

pytestmark = pytest.mark.django_db


def test_the_citizen_sees_what_is_due_and_pays_online(
    awaiting: Dossier, world: World, client: Client
) -> None:
    citizen = User.objects.create(username="026012345612", kind="citizen", citizen_id="026012345612")
    Dossier.objects.filter(pk=awaiting.pk).update(owner=citizen)
    login(client, citizen)
    page = client.get(f"/ho-so-cua-toi/{awaiting.code}/").content.decode()
    assert "Còn phải nộp" in page
    assert 'data-due="25000"' in page
    assert "Thanh toán trực tuyến (VNPay)" in page
    response = client.post(f"/ho-so-cua-toi/{awaiting.code}/thanh-toan/")
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.status, payment.created_by) == (25000, PaymentStatus.PENDING, citizen)
    assert response["Location"] == payment.pay_url
    assert urlsplit(payment.pay_url).path == "/sandbox/vnpay/paymentv2/vpcpay.html"
    # Someone else's dossier: 404, no payment.
    other = User.objects.create(username="026099999999", kind="citizen", citizen_id="026099999999")
    login(client, other)
    assert client.post(f"/ho-so-cua-toi/{awaiting.code}/thanh-toan/").status_code == 404
    assert Payment.objects.count() == 1


def test_the_officer_sees_the_ledger_on_the_dossier_page(
    awaiting: Dossier, world: World, client: Client
) -> None:
    from motcua.payments.services import payment_create

    payment_create(dossier=awaiting, actor=world.officer_a, method="cash", amount=20000)
    client.force_login(world.officer_a)
    page = client.get(f"/can-bo/ho-so/{awaiting.code}/").content.decode()
    assert "Phí, lệ phí" in page
    assert "Lệ phí đăng ký" in page  # the fee's legal name
    assert "Phí cấp bản sao" in page
    assert "Nộp tiền mặt tại Bộ phận một cửa" in page  # the credit's source, with the officer
    assert 'data-due="5000"' in page
