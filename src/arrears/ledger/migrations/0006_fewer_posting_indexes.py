"""Fewer indexes on ledger_posting, each of which every imported posting pays for: the
account's own index (the index on account and posting date serves the same lookups) and, on
PostgreSQL, the varchar_pattern_ops twin Django adds to the unique external id for LIKE
searches, which nothing does on postings (lookups are by the exact id)."""

import django.db.models.deletion
from django.db import migrations, models

from arrears.migration_ops import pattern_twin_drop

class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0005_cyclerun_accounts_through"),
        ("portfolio", "0004_fewer_statement_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="posting",
            name="account",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="postings", to="portfolio.account"),
        ),
        pattern_twin_drop("ledger_posting", "external_id"),
    ]
