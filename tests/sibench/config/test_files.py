"""sibench.config.check_unique_keys: a key given twice in one mapping of a config file is refused,
naming the file, the line and the key (Snakemake keeps the last value without a word)."""
from __future__ import annotations

import json

import pytest
import yaml

from sibench.config import DuplicateKeyError, check_unique_keys

from ...workflow.tiny import ROOT, TINY


def test_a_repeated_yaml_key_is_refused_with_file_and_line(tmp_path):
    text = yaml.safe_dump(TINY, sort_keys=False).replace("  steps: 60\n", "  steps: 60\n  steps: 6000\n", 1)
    assert yaml.safe_load(text)["train"]["steps"] == 6000  # what Snakemake would use, silently
    f = tmp_path / "config.yaml"
    f.write_text(text)
    line = text.splitlines().index("  steps: 6000") + 1
    with pytest.raises(DuplicateKeyError, match=rf"config.yaml, line {line}: key 'steps' is given twice in one mapping "
                                                rf"\(first on line {line - 1}\)"):
        check_unique_keys(f)


def test_a_repeated_top_level_key_and_a_repeated_json_key(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("name: a\nseeds: [0]\nname: b\n")
    with pytest.raises(DuplicateKeyError, match="line 3: key 'name'"):
        check_unique_keys(f)
    g = tmp_path / "c.json"
    g.write_text('{"name": "a", "train": {"steps": 1, "steps": 2}}')
    with pytest.raises(DuplicateKeyError, match="c.json: key 'steps' is given twice"):
        check_unique_keys(g)


def test_the_same_key_in_different_mappings_is_fine(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text(yaml.safe_dump(TINY, sort_keys=False))  # `steps` under train and under sampling.ode
    check_unique_keys(f)
    g = tmp_path / "c.json"
    g.write_text(json.dumps(TINY))
    check_unique_keys(g)
    for name in ("quick", "default", "paper"):  # anchors and aliases included
        check_unique_keys(ROOT / "config" / f"{name}.yaml")
