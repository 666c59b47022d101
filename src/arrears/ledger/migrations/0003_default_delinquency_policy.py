"""The default delinquency policy, version 1: the buckets the code had hard-wired (M0 current,
M1 from 1 day past due, then a bucket per 30 days up to M7+ from 180 days)."""

from datetime import date

from django.db import migrations

DEFAULT_RANGES = (("M0", 0), ("M1", 1), ("M2", 30), ("M3", 60), ("M4", 90), ("M5", 120),
                  ("M6", 150), ("M7+", 180))


def seed(apps, schema_editor):
    policy_model = apps.get_model("ledger", "DelinquencyPolicy")
    range_model = apps.get_model("ledger", "DelinquencyRange")
    if policy_model.objects.filter(product__isnull=True).exists():
        return
    policy = policy_model.objects.create(
        product=None, version=1, valid_from=date(1900, 1, 1),
        note="M0 current, M1 1-29 days past due, then 30 days a bucket up to M7+ (180+)")
    range_model.objects.bulk_create(
        range_model(policy=policy, code=code, min_days=days) for code, days in DEFAULT_RANGES)


def unseed(apps, schema_editor):
    apps.get_model("ledger", "DelinquencyPolicy").objects.filter(
        product__isnull=True, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_delinquency_policy")]
    operations = [migrations.RunPython(seed, unseed)]
