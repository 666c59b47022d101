"""The starting authority matrix (issue 6); administrators change it in the admin."""

from decimal import Decimal

from django.db import migrations

# (role, kind, max amount in minor units, max share of the balance, max months)
DEFAULT_LIMITS = (
    ("collector", "fee_waiver", 50_000, None, None),
    ("collector", "plan_extension", None, None, 3),
    ("collector", "plan_instalment", None, None, 12),
    ("team_lead", "fee_waiver", None, Decimal("0.2"), None),
    ("team_lead", "interest_waiver", None, Decimal("0.2"), None),
    ("team_lead", "settlement_discount", None, Decimal("0.2"), None),
    ("team_lead", "plan_extension", None, None, 6),
    ("team_lead", "plan_instalment", None, None, 36),
    ("collections_manager", "fee_waiver", None, None, None),
    ("collections_manager", "interest_waiver", None, None, None),
    ("collections_manager", "settlement_discount", None, None, None),
    ("collections_manager", "plan_extension", None, None, 6),
    ("collections_manager", "plan_instalment", None, None, 60),
    ("collections_manager", "plan_personalised", None, None, 60),
)


def load(apps, schema_editor):
    limit = apps.get_model("arrangements", "AuthorityLimit")
    for group_name, kind, amount, share, months in DEFAULT_LIMITS:
        limit.objects.get_or_create(group_name=group_name, kind=kind, defaults={
            "max_amount_minor": amount, "max_share_of_balance": share, "max_months": months})


def unload(apps, schema_editor):
    limit = apps.get_model("arrangements", "AuthorityLimit")
    for group_name, kind, *_rest in DEFAULT_LIMITS:
        limit.objects.filter(group_name=group_name, kind=kind).delete()


class Migration(migrations.Migration):
    dependencies = [("arrangements", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
