"""The dossier page names the current step once: the summary box, never a stale second answer below it."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.tests.conftest import World

from .test_backoffice import html, intake, login


def test_after_the_result_the_page_does_not_also_name_the_approval_step(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    """Found in make run: after the leader's approval the box said "Trả kết quả" while the facts list below
    still said "Bước hiện tại: Phê duyệt kết quả" (the dossier's last process step)."""
    dossier = intake(world)
    for _ in range(2):
        dossier = dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    dossier = dossier_transition(
        dossier=dossier, action=Action.RESOLVE, actor=world.leader_a, result="Giấy xác nhận"
    )
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    named = re.findall(r'data-field="current-step">([^<]*)<', page)
    assert len(named) == 1
    assert "Bước hiện tại" not in page
