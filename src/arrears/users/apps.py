from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "arrears.users"
    verbose_name = _("Users and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from arrears.users.language import preference_apply_at_login
        from arrears.users.services import role_groups_ensure

        user_logged_in.connect(preference_apply_at_login, dispatch_uid="arrears_preferred_language")

        post_migrate.connect(lambda **kwargs: role_groups_ensure(), sender=self, weak=False)
