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
