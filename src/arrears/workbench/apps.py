from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "arrears.workbench"
    verbose_name = _("Workbench")

    def ready(self):
        from arrears.access.policy import LEGAL, QUEUE, TEAM_SCOPE, relationship_register
        from arrears.batch.pipeline import compiler_register
        from arrears.workbench.access import (
            legal_account_ids,
            queue_account_ids,
            team_account_ids,
        )
        from arrears.workbench.compile import queues_compile

        relationship_register(QUEUE, queue_account_ids)
        relationship_register(TEAM_SCOPE, team_account_ids)
        relationship_register(LEGAL, legal_account_ids)
        compiler_register("queues", queues_compile)
