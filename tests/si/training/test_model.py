"""si.training.model: checkpoints are written atomically and read back with weights_only=True."""
import io
import json
import os

import torch

from si import Interpolant
from si.training import load_model, train

from ...conftest import TINY, TRAIN_RHO0, TRAIN_RHO1

F64 = torch.float64


def test_checkpoint_roundtrip_is_atomic_and_weights_only(tmp_path):
    it = Interpolant("trig", "bsquared")
    path = tmp_path / "run" / "model.pt"
    log = io.StringIO()
    model = train(it, "v,eta", TRAIN_RHO0, TRAIN_RHO1, TINY, checkpoint=path, log=log)
    assert sorted(os.listdir(path.parent)) == ["model.json", "model.pt"]  # no temporaries left
    payload = torch.load(path, weights_only=True)  # loads without unpickling code
    assert set(payload) == {"format", "spec_json", "state_dict"}
    spec = json.loads(path.with_suffix(".json").read_text())
    assert spec["interpolant"] == {"path": "trig", "gamma": "bsquared", "a": 1.0}
    assert spec["objective"] == "v,eta" and spec["config"]["seed"] == 3
    loaded = load_model(path)
    t = torch.rand(7)
    x = torch.randn(7, 2)
    torch.testing.assert_close(loaded.b(t, x), model.b(t, x))
    torch.testing.assert_close(loaded.s(t, x), model.s(t, x))
    assert "step 30/30" in log.getvalue()  # periodic progress lines when not interactive


def _flip_bytes(path, offset_fraction=0.6, count=8):
    data = bytearray(path.read_bytes())
    at = int(len(data) * offset_fraction)
    for k in range(at, at + count):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_or_truncated_checkpoint_is_named_not_loaded(tmp_path):
    """Bytes flipped inside the tensor data used to load silently (non-finite weights) and a truncated
    file failed with an OSError that did not name it: the sidecar's sha256 catches both."""
    import pytest

    from si.training import CheckpointError, file_sha256, sidecar_of
    path = tmp_path / "model.pt"
    train(Interpolant("linear", "brownian"), "b,s", TRAIN_RHO0, TRAIN_RHO1, TINY, checkpoint=path, log=io.StringIO())
    assert json.loads(sidecar_of(path).read_text())["sha256"] == file_sha256(path)
    good = path.read_bytes()
    _flip_bytes(path)
    with pytest.raises(CheckpointError, match=f"checkpoint {path}: sha256 .* does not match") as e:
        load_model(path)
    assert e.value.path == path
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError, match=f"checkpoint {path}: .*truncated or corrupted"):
        load_model(path)
    path.write_bytes(good)
    load_model(path)  # intact again
    side = json.loads(sidecar_of(path).read_text())
    del side["sha256"]
    sidecar_of(path).write_text(json.dumps(side))
    with pytest.raises(CheckpointError, match="has no sha256"):
        load_model(path)
    sidecar_of(path).unlink()
    with pytest.raises(CheckpointError, match=f"checkpoint {path}: its sidecar .* cannot be read"):
        load_model(path)
