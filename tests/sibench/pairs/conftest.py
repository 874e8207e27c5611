import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """These tests are many small tensor operations: on a shared 2-core machine, intra-op threads
    contend and slow them ~50x. Run them single-threaded and restore the setting afterwards."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
