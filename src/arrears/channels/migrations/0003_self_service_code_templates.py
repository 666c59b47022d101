from django.db import migrations


def load(apps, schema_editor):
    from arrears.channels.defaults import load_default_templates

    load_default_templates(apps.get_model("channels", "Template"))


def unload(apps, schema_editor):
    apps.get_model("channels", "Template").objects.filter(
        version=1, note="default", code__startswith="SS-CODE-").delete()


class Migration(migrations.Migration):
    """The one-time code messages of the self-service portal (and any default template added
    since 0002)."""

    dependencies = [("channels", "0002_default_templates")]

    operations = [
        migrations.RunPython(load, unload),
    ]
