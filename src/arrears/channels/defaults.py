"""The default templates shipped in ``default_templates/*.json`` (Chinese and English).

Each file is a list of ``{"code", "channel", "requires_opt_out", "versions": {language:
{"subject", "body"}}}``. A data migration loads them as version 1; editing them afterwards
happens in the admin, which writes new versions.
"""

import json
from pathlib import Path

DEFAULT_TEMPLATES_DIR = Path(__file__).parent / "default_templates"


def default_templates() -> list[dict]:
    """One dict per (code, language): code, channel, language, subject, body, requires_opt_out."""
    rows = []
    for path in sorted(DEFAULT_TEMPLATES_DIR.glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            for language, text in item["versions"].items():
                rows.append({
                    "code": item["code"], "channel": item["channel"], "language": language,
                    "subject": text.get("subject", ""), "body": text["body"],
                    "requires_opt_out": item.get("requires_opt_out", False),
                })
    return rows


def load_default_templates(template_model) -> int:
    """Create version 1 of every default template that has no version yet; returns how many."""
    existing = set(template_model.objects.values_list("code", "language"))
    new = [
        template_model(**row, version=1, active=True, note="default")
        for row in default_templates()
        if (row["code"], row["language"]) not in existing
    ]
    template_model.objects.bulk_create(new)
    return len(new)
