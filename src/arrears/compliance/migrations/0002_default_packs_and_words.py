"""Load the shipped rule packs (version 1, live) and the default forbidden-word lists."""

import json
from pathlib import Path

from django.db import migrations

PACKS = Path(__file__).resolve().parent.parent / "packs"
PROFILES = ("CN-BANK", "CN-CONSERVATIVE", "US-FDCPA", "US-FIRST-PARTY")


def load(apps, schema_editor):
    RulePack = apps.get_model("compliance", "RulePack")
    RuleSetting = apps.get_model("compliance", "RuleSetting")
    ForbiddenWord = apps.get_model("compliance", "ForbiddenWord")
    for profile in PROFILES:
        data = json.loads((PACKS / f"{profile.lower()}.json").read_text(encoding="utf-8"))
        if RulePack.objects.filter(profile=profile).exists():
            continue
        pack = RulePack.objects.create(
            profile=profile, version=1, active=True, region=data["region"],
            default_time_zone=data["default_time_zone"], note="Shipped default pack")
        RuleSetting.objects.bulk_create(
            RuleSetting(pack=pack, rule_id=r["id"], check_name=r["check"],
                        title=r.get("title", ""), enabled=r.get("enabled", True),
                        action=r["action"], params=r.get("params", {}),
                        source=r.get("source", ""), status=r.get("status", "U"))
            for r in data["rules"])
    words = json.loads((PACKS / "words.json").read_text(encoding="utf-8"))["words"]
    for word in words:
        ForbiddenWord.objects.get_or_create(language=word["language"], word=word["word"],
                                            defaults={"category": word["category"],
                                                      "rule_id": word["rule_id"]})


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
