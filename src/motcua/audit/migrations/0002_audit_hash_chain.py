"""The audit trail's hash chain (audit/chain.py): new columns, the chain heads, and the existing rows chained.

Existing entries are chained here, per Vietnam day of their ``at``, in id order (the order they were
written), so ``motcua verify-audit`` covers the whole trail. The chain vouches for them from this migration
on: a change made before it cannot be detected (docs/operations.md).
"""

import datetime as dt

from django.db import migrations, models

VN_TZ = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has had no DST since 1975


def chain_existing_entries(apps, schema_editor):
    from motcua.audit.chain import entry_digest, genesis_hash, link_hash

    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    heads: dict[dt.date, list] = {}  # day -> [count, prev_hash, last_hash]
    batch = []
    fields = ["chain_day", "seq", "prev_hash", "hash"]
    for entry in AuditEntry.objects.using(db).order_by("pk").iterator(chunk_size=2000):
        entry.chain_day = entry.at.astimezone(VN_TZ).date()
        head = heads.setdefault(entry.chain_day, [0, "", genesis_hash(entry.chain_day)])
        entry.seq = head[0] + 1
        entry.prev_hash = head[2]
        entry.hash = link_hash(entry.prev_hash, entry_digest(entry))
        heads[entry.chain_day] = [entry.seq, entry.prev_hash, entry.hash]
        batch.append(entry)
        if len(batch) >= 1000:
            AuditEntry._base_manager.using(db).bulk_update(batch, fields)
            batch = []
    if batch:
        AuditEntry._base_manager.using(db).bulk_update(batch, fields)
    AuditChainHead.objects.using(db).bulk_create(
        AuditChainHead(day=day, count=count, prev_hash=prev, last_hash=last)
        for day, (count, prev, last) in heads.items()
    )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False, verbose_name="ngày")),
                ("count", models.PositiveIntegerField(verbose_name="số bản ghi")),
                ("prev_hash", models.CharField(max_length=64, verbose_name="mã băm trước bản ghi cuối")),
                ("last_hash", models.CharField(max_length=64, verbose_name="mã băm bản ghi cuối")),
            ],
            options={
                "verbose_name": "đầu chuỗi nhật ký",
                "verbose_name_plural": "đầu chuỗi nhật ký",
                "ordering": ["-day"],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain_day",
            field=models.DateField(default=dt.date(2000, 1, 1), verbose_name="ngày của chuỗi"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", max_length=64, verbose_name="mã băm"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64, verbose_name="mã băm bản ghi trước"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveIntegerField(default=0, verbose_name="số thứ tự trong chuỗi"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("chain_day", "seq"), name="audit_chain_position"),
        ),
    ]
