"""``motcua load-demo``: the demo units, calendar overrides, catalog and staff accounts. Idempotent."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.catalog.services import catalog_load_demo
from motcua.identity.services import sandbox_client_ensure
from motcua.national_portal.services import demo_procedures_connect
from motcua.organisations.models import Unit
from motcua.organisations.services import demo_staff_create, demo_units_load
from motcua.signatures.ca import sandbox_ca_ensure
from motcua.simulation.store_demo import demo_store_load
from motcua.worktime.models import CalendarOverride
from motcua.worktime.services import calendar_overrides_load_demo

DEMO_PASSWORD = "demo"  # noqa: S105 - sandbox only, printed to the developer on purpose


class Command(BaseCommand):
    help = "Load the demo data (units of Vĩnh Phúc/Phú Thọ, calendar, 35 procedures, demo staff). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        sandbox = settings.SANDBOX
        password = DEMO_PASSWORD if sandbox else secrets.token_urlsafe(24)
        store_citizen = None
        with transaction.atomic():
            units_changed = demo_units_load()
            calendar_overrides_load_demo()
            catalog_load_demo()
            accounts = demo_staff_create(password=password)
            if sandbox:
                sandbox_client_ensure()  # motcua as a client of the sandbox e-ID provider, and its fake citizens
                demo_procedures_connect()  # the online procedures sync with the sandbox national portal
                sandbox_ca_ensure()  # the sandbox CA (root, issuing CA, unit/leader certificates, CRL) in var/
                store_citizen = demo_store_load()  # an e-ID citizen with an earlier result (data store demo)
        self.stdout.write(
            f"Demo data ready: {Unit.objects.count()} units, {CalendarOverride.objects.count()} calendar "
            f"overrides, {Procedure.objects.count()} procedures, {len(accounts)} staff accounts"
            + (" (already loaded: nothing changed)." if units_changed == 0 else ".")
        )
        if not sandbox:
            self.stdout.write(
                "Not in sandbox mode: passwords are random and not shown; set one with `motcua changepassword USER`."
            )
            return
        self.stdout.write(f"Demo accounts (sandbox only), password '{password}':")
        for username, description in accounts:
            self.stdout.write(f"  {username:<28} {description}")
        if store_citizen is not None:
            self.stdout.write(
                f"Data store demo: the sandbox e-ID citizen {store_citizen.full_name} has an earlier result in "
                "«Kho dữ liệu của tôi» (docs/documents.md)."
            )
