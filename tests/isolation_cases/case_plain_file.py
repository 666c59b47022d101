import pytest

from arrears.compliance.models import RulePack


@pytest.mark.django_db
def test_seed_data_still_there_afterwards():
    assert RulePack.objects.exists()
