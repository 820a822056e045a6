"""The data store's demo: a sandbox e-ID citizen finds an earlier, digitised result (``make run``)."""

from __future__ import annotations

import pytest

from motcua.accounts.tests.factories import CitizenFactory
from motcua.core import clock
from motcua.documents.models import ResultRecord, Upload
from motcua.documents.store import store_items
from motcua.dossiers.constants import Status
from motcua.identity.contrib.sandbox.services import sandbox_people_ensure
from motcua.simulation.store_demo import demo_store_load

from .test_recent import NOW, demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_demo_citizen_has_an_earlier_result_once(demo: None) -> None:  # noqa: F811
    sandbox_people_ensure()
    with clock.frozen(NOW):
        person = demo_store_load()
        assert person is not None
        assert demo_store_load() == person  # a second run adds nothing
    record = ResultRecord.objects.get()
    assert record.dossier.applicant_id_number == person.id_number
    assert record.dossier.status == Status.RESOLVED
    assert record.digitised
    assert Upload.objects.filter(dossier=record.dossier, digitised=True).count() == 1
    citizen = CitizenFactory(citizen_id=person.id_number)  # as their e-ID login makes the account
    with clock.frozen(NOW):
        assert [i.record for i in store_items(citizen) if i.is_result] == [record]
