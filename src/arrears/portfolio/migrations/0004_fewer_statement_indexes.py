"""Fewer indexes on portfolio_statement, each of which every imported statement pays for: a
plain index on (account, cycle_date) that duplicated the unique constraint's, the account's
own index (the unique one serves it) and, on PostgreSQL, the varchar_pattern_ops twin of the
unique external id (for LIKE searches nothing does on statements)."""

import django.db.models.deletion
from django.db import migrations, models

from arrears.migration_ops import pattern_twin_drop

class Migration(migrations.Migration):
    dependencies = [("portfolio", "0003_search_keys")]

    operations = [
        migrations.RemoveIndex(model_name="statement", name="portfolio_s_account_238f46_idx"),
        migrations.AlterField(
            model_name="statement",
            name="account",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="statements", to="portfolio.account"),
        ),
        pattern_twin_drop("portfolio_statement", "external_id"),
    ]
