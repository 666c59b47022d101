from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "arrears.users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from arrears.users.services import role_groups_ensure

        post_migrate.connect(lambda **kwargs: role_groups_ensure(), sender=self, weak=False)
