"""The administrator role no longer changes what groups may do: only a superuser does
(docs/security.md, Administration). Databases created before keep the permission otherwise,
since role_groups_ensure only adds permissions."""

from django.db import migrations


def remove_group_change(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="auth",
                                           codename="change_group").first()
    group = Group.objects.filter(name="administrator").first()
    if permission and group:
        group.permissions.remove(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("users", "0002_preference"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(remove_group_change, migrations.RunPython.noop)]
