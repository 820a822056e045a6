"""Personal-data access log: the dossier whose applicant was shown, for applicants without an ID number."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="personaldataaccess",
            name="dossier_code",
            field=models.CharField(blank=True, db_index=True, default="", max_length=64, verbose_name="hồ sơ"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="subject_id_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=14, verbose_name="số định danh của người được xem"
            ),
        ),
    ]
