import pytest

from arrears.compliance.models import RulePack


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_first():
    assert RulePack.objects.exists()

@pytest.mark.django_db
def test_plain_in_a():
    assert RulePack.objects.exists()
