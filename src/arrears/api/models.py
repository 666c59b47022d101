"""What the API answered when a posting was first made, so that a retry gets the same answer."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.ledger.models import Posting


class ApiReceipt(models.Model):
    """The response body of the request that created a posting through the API.

    A payment gateway that times out retries with the same external id; it must get back
    exactly what the first call returned (the posting and the balances right after it), not
    balances that later postings have since moved.
    """

    posting = models.OneToOneField(
        Posting, on_delete=models.PROTECT, primary_key=True, related_name="api_receipt"
    )
    body = models.JSONField(_("response body"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API receipt")
        verbose_name_plural = _("API receipts")

    def __str__(self) -> str:
        return str(self.posting_id)
