"""sibench.config.check_device: a device the machine does not have is refused when the DAG is built
(`device: cuda` on a machine without a GPU used to pass and crash the first train job with 'Torch not
compiled with CUDA enabled'). torch's view of the machine is patched, so the test means the same on a
machine with or without a GPU."""
from __future__ import annotations

import pytest
import torch

from sibench.config import ConfigError, check_device, plan

from ...workflow.tiny import variant


@pytest.fixture
def gpus(monkeypatch):
    """Pretend the machine has `count` CUDA devices and no MPS device."""
    def set_count(count):
        monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
        monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    return set_count


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "cuda:1"])
def test_cuda_is_refused_on_a_machine_without_one(gpus, name):
    gpus(0)
    with pytest.raises(ConfigError, match=rf"^device: '{name}', but torch sees no CUDA device on this machine"):
        check_device(name)
    with pytest.raises(ConfigError, match="^device: 'cuda'"):
        plan(variant(lambda c: c.update(device="cuda")))


def test_cuda_devices_that_exist_pass_and_others_are_refused(gpus):
    gpus(2)
    for name in ("auto", "cpu", "cuda", "cuda:0", "cuda:1"):
        check_device(name)
    with pytest.raises(ConfigError, match=r"'cuda:2', but this machine has 2 CUDA device\(s\): cuda:0 to cuda:1"):
        check_device("cuda:2")


def test_mps_and_unknown_names(gpus):
    gpus(0)
    check_device("auto")
    check_device("cpu")
    with pytest.raises(ConfigError, match="'mps', but torch sees no MPS device"):
        check_device("mps")
    for bad in ("gpu", "cuda:", "cuda:x", "cpu\n", None):
        with pytest.raises(ConfigError, match="unknown device"):
            check_device(bad)
