"""Config files read strictly: a key given twice in one mapping is an error, not a silent overwrite.

Snakemake reads --configfile itself (YAML, or JSON) and keeps the last value of a repeated key, so
`train: {steps: 60, steps: 6000}` used to train for 6000 steps without a word. The workflow
(workflow/rules/common.smk) re-reads every config file Snakemake loaded with `check_unique_keys`,
before the schema check.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Union

import yaml

from .errors import ConfigError

__all__ = ["DuplicateKeyError", "check_unique_keys"]


class DuplicateKeyError(ConfigError):
    """A key given twice in one mapping of a config file."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader refusing a mapping that repeats a key (the file name is set per load)."""

    source = "<config>"

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise DuplicateKeyError(
                    f"{self.source}, line {key_node.start_mark.line + 1}: key {key!r} is given twice in one mapping "
                    f"(first on line {seen[key] + 1}); Snakemake would silently keep the last value")
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(source: str):
    def hook(pairs):
        keys = [k for k, _ in pairs]
        dup = next((k for i, k in enumerate(keys) if k in keys[:i]), None)
        if dup is not None:
            raise DuplicateKeyError(f"{source}: key {dup!r} is given twice in one object; Snakemake would silently "
                                    f"keep the last value")
        return dict(pairs)
    return hook


def check_unique_keys(path: Union[str, Path]) -> None:
    """DuplicateKeyError naming the file, the line and the key if any mapping of the config file at
    path repeats a key. JSON is read as JSON (as Snakemake does first), anything else as YAML."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        json.loads(text, object_pairs_hook=_unique_pairs(str(path)))
        return
    except json.JSONDecodeError:
        pass  # not JSON: YAML, as Snakemake reads it next
    loader = type("Loader", (_UniqueKeyLoader,), {"source": str(path)})
    try:
        yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        return  # not YAML either: Snakemake has reported that already
