"""The placement relationship of the access policy: an agency's users reach the accounts
placed with their agency while the placement is active, and nothing else."""

from arrears.recovery.models import Placement


def placed_account_ids(user):
    """Ids of the accounts actively placed with ``user``'s agency (a sub-query)."""
    return (Placement.objects.filter(status=Placement.Status.ACTIVE,
                                     agency__members__user_id=user.pk)
            .values("account_id"))
