from django.db import migrations


def load(apps, schema_editor):
    from arrears.channels.defaults import load_default_templates

    load_default_templates(apps.get_model("channels", "Template"))


def unload(apps, schema_editor):
    apps.get_model("channels", "Template").objects.filter(version=1, note="default").delete()


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_outbox_templates")]

    operations = [migrations.RunPython(load, unload)]
