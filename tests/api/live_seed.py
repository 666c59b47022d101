"""Seed a live server's database: ``python -m tests.api.live_seed N`` (DATABASE_URL and
ARREARS_HOME set) migrates, creates N accounts that owe 1,000.00 each, a payment gateway with
a token, and prints ``{"token": ..., "accounts": [...]}`` as JSON."""

import json
import os
import sys
from datetime import timedelta


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, Permission, User

    from arrears.ledger.services import PostingRequest, posting_create
    from arrears.portfolio.selectors import product_today
    from arrears.users.models import ApiToken
    from tests.factories import make_account, make_product

    product = make_product(code="LIVE")
    today = product_today(product)
    accounts = []
    for number in range(count):
        account = make_account(product=product, external_id=f"LIVE-{number}")
        request = PostingRequest(account, f"LIVE-BUY-{number}", "purchase", 100_000,
                                 today - timedelta(days=30), today - timedelta(days=30))
        posting_create(request=request, source="import")
        accounts.append(account.external_id)
    user = User.objects.create_user(username="gateway", password="unused-password-1")
    user.groups.add(Group.objects.get_or_create(name="api_client")[0])
    user.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_posting", "view_account"]))
    token = ApiToken.issue(user=user, name="payment gateway")[1]
    print(json.dumps({"token": token, "accounts": accounts}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
