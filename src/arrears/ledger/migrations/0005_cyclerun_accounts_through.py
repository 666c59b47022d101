"""CycleRun.accounts_through: the cycle's progress by account id, committed with each range, so
that positions whose values did not change need not be written again (their dates are lifted
to the run that covered them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_posting_source_portal")]

    operations = [
        migrations.AddField(
            model_name="cyclerun",
            name="accounts_through",
            field=models.BigIntegerField(blank=True, null=True,
                                         verbose_name="accounts cycled through id"),
        ),
    ]
