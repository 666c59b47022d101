"""Load the UK-FCA pack, and add the rules shipped since a pack was loaded (account actions,
legal state) to each live pack as a new version. Rules a compliance officer already has are
kept as they are: changed shipped defaults of existing rules are the officer's to adopt."""

import json
from pathlib import Path

from django.db import migrations

PACKS = Path(__file__).resolve().parent.parent / "packs"
PROFILES = ("CN-BANK", "CN-CONSERVATIVE", "US-FDCPA", "US-FIRST-PARTY", "UK-FCA")


def _settings(RuleSetting, pack, rules):
    return [RuleSetting(pack=pack, rule_id=r["id"], check_name=r["check"],
                        title=r.get("title", ""), enabled=r.get("enabled", True),
                        action=r["action"], params=r.get("params", {}),
                        source=r.get("source", ""), status=r.get("status", "U"))
            for r in rules]


def load(apps, schema_editor):
    RulePack = apps.get_model("compliance", "RulePack")
    RuleSetting = apps.get_model("compliance", "RuleSetting")
    ForbiddenWord = apps.get_model("compliance", "ForbiddenWord")
    for profile in PROFILES:
        data = json.loads((PACKS / f"{profile.lower()}.json").read_text(encoding="utf-8"))
        live = RulePack.objects.filter(profile=profile, active=True).first()
        if live is None and not RulePack.objects.filter(profile=profile).exists():
            pack = RulePack.objects.create(
                profile=profile, version=1, active=True, region=data["region"],
                default_time_zone=data["default_time_zone"], note="Shipped default pack")
            RuleSetting.objects.bulk_create(_settings(RuleSetting, pack, data["rules"]))
            continue
        if live is None:
            continue
        have = set(live.settings.values_list("rule_id", flat=True))
        missing = [r for r in data["rules"] if r["id"] not in have]
        if not missing:
            continue
        latest = RulePack.objects.filter(profile=profile).order_by("-version").first()
        RulePack.objects.filter(pk=live.pk).update(active=False)
        new = RulePack.objects.create(
            profile=profile, version=latest.version + 1, active=True, region=live.region,
            default_time_zone=live.default_time_zone,
            note="Shipped rules added: " + ", ".join(r["id"] for r in missing))
        copies = []
        for setting in live.settings.order_by("id"):
            setting.pk = None
            setting.pack = new
            copies.append(setting)
        RuleSetting.objects.bulk_create(copies + _settings(RuleSetting, new, missing))
    words = json.loads((PACKS / "words.json").read_text(encoding="utf-8"))["words"]
    for word in words:
        ForbiddenWord.objects.get_or_create(language=word["language"], word=word["word"],
                                            defaults={"category": word["category"],
                                                      "rule_id": word["rule_id"]})


class Migration(migrations.Migration):
    dependencies = [("compliance", "0004_gate_actions_uk_profile_legal_state_holds")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
