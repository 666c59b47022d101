import pytest

from arrears.scoring.taiwan import clients_read, taiwan_csv_path


@pytest.fixture(scope="session")
def taiwan_path():
    return taiwan_csv_path()


@pytest.fixture(scope="session")
def first_clients(taiwan_path):
    return list(clients_read(taiwan_path, limit=200))
