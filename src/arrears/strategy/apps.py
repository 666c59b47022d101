from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "arrears.strategy"
    verbose_name = _("Strategy")

    def ready(self) -> None:
        from arrears.batch.pipeline import compiler_register
        from arrears.strategy.compile import decisions_by_arm

        compiler_register("decide", decisions_by_arm)
