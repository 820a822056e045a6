"""Abandoned online drafts: ``submissions.services.drafts_purge`` and ``motcua purge-drafts``."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.documents.models import SubmissionData, Upload
from motcua.documents.services import upload_delete, upload_store
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import files_under
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.portal.tests.submission_factories import World, login, make_world
from motcua.portal.tests.test_my_dossiers import submitted
from motcua.submissions import services

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.VN_TZ)  # the portal tests' frozen "today"


@pytest.fixture
def world() -> World:
    return make_world()


def draft(world: World, at: dt.datetime, *, uploads: int = 1, owner: User | None = None) -> Dossier:
    """A draft created (with ``uploads`` files) at ``at``."""
    owner = owner or world.citizen
    with clock.frozen(at):
        dossier = services.draft_start(
            actor=owner,
            procedure_code=world.code,
            unit_code=world.unit.code,
            applicant={"name": owner.full_name, "id_number": owner.citizen_id},
        )
        for component in dossier.components.order_by("pk")[:uploads]:
            upload(dossier, owner, component)
    Dossier.objects.filter(pk=dossier.pk).update(created_at=at)  # auto_now_add ignores the frozen clock
    return dossier


def upload(dossier: Dossier, owner: User, component: Any = None) -> Upload:
    component = component or dossier.components.order_by("pk").first()
    return upload_store(
        dossier=dossier, actor=owner, file=files.upload("giay-to.pdf", files.pdf()), component=component
    )


def stored(dossier: Dossier) -> list[str]:
    return list(Upload.objects.filter(dossier=dossier).values_list("stored_name", flat=True))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_drafts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def drafts(world: World, media: Path) -> dict[str, Dossier]:
    old = draft(world, NOW - dt.timedelta(days=40), uploads=2)
    # Created as long ago, but a file was added 5 days ago: changed recently.
    touched = draft(world, NOW - dt.timedelta(days=40))
    with clock.frozen(NOW - dt.timedelta(days=5)):
        upload(touched, world.citizen)
    recent = draft(world, NOW - dt.timedelta(days=29), owner=world.other)
    with clock.frozen(NOW - dt.timedelta(days=40)):
        sent = submitted(world)  # submitted 40 days ago, never received: not a draft
    Dossier.objects.filter(pk=sent.pk).update(created_at=NOW - dt.timedelta(days=40))
    return {"old": old, "touched": touched, "recent": recent, "sent": sent}


def test_old_draft_and_its_files_are_deleted_after_commit(
    drafts: dict[str, Dossier], media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    old = drafts["old"]
    old_files = [media / name for name in stored(old)]
    kept_files = {name for key in ("touched", "recent", "sent") for name in stored(drafts[key])}
    assert len(old_files) == 2
    assert all(f.is_file() for f in old_files)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.drafts_purge()
        assert all(f.is_file() for f in old_files)  # nothing leaves the storage before the commit
    assert [(d.pk, d.files) for d in result.drafts] == [(old.pk, 2)]
    assert (result.days, result.cutoff, result.dry_run) == (30, NOW - dt.timedelta(days=30), False)
    for callback in callbacks:
        callback()
    assert not any(f.exists() for f in old_files)
    assert not Dossier.objects.filter(pk=old.pk).exists()
    assert not Upload.objects.filter(dossier_id=old.pk).exists()
    assert not SubmissionData.objects.filter(dossier_id=old.pk).exists()
    # Everything else is untouched: the recent drafts and the dossier submitted as long ago, with files.
    assert set(Dossier.objects.values_list("pk", flat=True)) == {
        drafts["touched"].pk,
        drafts["recent"].pk,
        drafts["sent"].pk,
    }
    assert Dossier.objects.get(pk=drafts["sent"].pk).status == Status.SUBMITTED
    assert {str(p.relative_to(media)) for p in files_under(media)} == kept_files
    [entry] = AuditEntry.objects.filter(action="dossier.drafts_purge")
    assert entry.actor is None
    assert (entry.data["count"], entry.data["dossiers"], entry.data["files"]) == (1, [old.pk], 2)
    # The dossier's own audit trail stays.
    assert AuditEntry.objects.filter(action="dossier.create", object_id=str(old.pk)).exists()


def test_submitted_dossier_of_any_age_is_never_deleted(
    world: World, drafts: dict[str, Dossier], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = services.drafts_purge(days=1)
    assert {d.pk for d in result.drafts} == {drafts["old"].pk, drafts["touched"].pk, drafts["recent"].pk}
    assert list(Dossier.objects.values_list("pk", "status")) == [(drafts["sent"].pk, Status.SUBMITTED)]
    assert len(stored(drafts["sent"])) == 2


def test_a_run_with_nothing_to_delete_is_audited_too(drafts: dict[str, Dossier]) -> None:
    assert services.drafts_purge(days=365).drafts == []
    [entry] = AuditEntry.objects.filter(action="dossier.drafts_purge")
    assert (entry.data["count"], entry.data["days"]) == (0, 365)
    assert Dossier.objects.count() == 4


def test_removing_a_file_counts_as_a_change(world: World, media: Path) -> None:
    old = draft(world, NOW - dt.timedelta(days=40), uploads=2)
    with clock.frozen(NOW - dt.timedelta(days=3)):
        upload_delete(upload=Upload.objects.filter(dossier=old).first(), actor=world.citizen)  # type: ignore[arg-type]
    assert services.drafts_purge().drafts == []
    assert Dossier.objects.filter(pk=old.pk).exists()


def test_command_deletes_and_prints(
    drafts: dict[str, Dossier], media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    old = drafts["old"]
    names = stored(old)
    with django_capture_on_commit_callbacks(execute=True):
        out = run("--days", "30")
    lines = out.splitlines()
    assert lines[0].startswith(
        f"Đã xóa hồ sơ nháp #{old.pk}  thủ tục {drafts['old'].procedure_version.procedure.code}"
    )
    assert "2 tệp" in lines[0]
    assert lines[-1] == "Đã xóa 1 hồ sơ nháp (2 tệp) không chỉnh sửa từ 2026-01-31 09:00 (quá 30 ngày)."
    assert "Nguyễn Văn An" not in out  # no personal data in the output
    assert not Dossier.objects.filter(pk=old.pk).exists()
    assert not any((media / name).exists() for name in names)


def test_dry_run_changes_nothing(
    drafts: dict[str, Dossier], media: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    before = sorted(files_under(media))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = run("--dry-run", "--days", "1")
    assert callbacks == []
    assert f"Sẽ xóa hồ sơ nháp #{drafts['old'].pk}" in out
    assert f"#{drafts['sent'].pk} " not in out
    assert out.splitlines()[-1].endswith("Chạy thử: không có gì bị xóa.")
    assert out.splitlines()[-1].startswith("Sẽ xóa 3 hồ sơ nháp (5 tệp)")
    assert Dossier.objects.count() == 4
    assert Upload.objects.count() == 2 + 2 + 1 + 2
    assert sorted(files_under(media)) == before
    assert not AuditEntry.objects.filter(action="dossier.drafts_purge").exists()


@pytest.mark.parametrize("days", ["0", "-3", "abc", "", "1.5"])
def test_bad_days_exit_2_with_a_clear_message(drafts: dict[str, Dossier], days: str) -> None:
    with pytest.raises(CommandError) as failed:
        run("--days", days)
    assert failed.value.returncode == 2
    assert "--days" in str(failed.value)
    assert "số nguyên dương" in str(failed.value)
    assert Dossier.objects.count() == 4
    assert not AuditEntry.objects.filter(action="dossier.drafts_purge").exists()


def test_bad_setting_is_refused_too(settings: LazySettings, drafts: dict[str, Dossier]) -> None:
    settings.MOTCUA_DRAFT_RETENTION_DAYS = 0
    with pytest.raises(ValidationFailed):
        services.drafts_purge()
    with pytest.raises(CommandError) as failed:
        run()
    assert failed.value.returncode == 2
    assert "MOTCUA_DRAFT_RETENTION_DAYS" in str(failed.value)


def test_draft_page_says_how_long_an_untouched_draft_is_kept(
    client: Client, world: World, media: Path, settings: LazySettings
) -> None:
    dossier = draft(world, NOW, uploads=0)
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "Hồ sơ nháp được giữ 30 ngày kể từ lần chỉnh sửa cuối" in page
    assert "tự động bị xóa" in page
    settings.MOTCUA_DRAFT_RETENTION_DAYS = 7
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "Hồ sơ nháp được giữ 7 ngày kể từ lần chỉnh sửa cuối" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "A draft is kept for 7 days after its last change." in english
    settings.MOTCUA_DRAFT_RETENTION_DAYS = 1
    english = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "A draft is kept for 1 day after its last change." in english
