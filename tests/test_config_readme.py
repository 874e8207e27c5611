"""config/README.md describes every key of config/schema/config.schema.yaml, and no key the schema lacks.

A key is named by its dotted path (`sampling.ode.method`), `<name>` standing for a name the user
chooses (a method, a benchmark, a rule) and `[]` for an item of a list. The overrides under
benchmarks.<name> and methods.<name> (`train`, `sampling`, `likelihood`) and the figures' `train`
take the keys of the global section they override: the README documents those keys once, under the
global section, and the override itself by its own path."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = yaml.safe_load((ROOT / "config" / "schema" / "config.schema.yaml").read_text())
README = (ROOT / "config" / "README.md").read_text()
OVERRIDES = ("#/$defs/train_override", "#/$defs/sampling_override", "#/$defs/likelihood_override")


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_keys(node=SCHEMA, prefix=""):
    """Every dotted key path of the schema (overrides not entered: their keys are the global section's)."""
    if isinstance(node, dict) and node.get("$ref") in OVERRIDES:
        return []
    node = resolve(node)
    out = []
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}.{key}" if prefix else key
        out.append(path)
        out += schema_keys(sub, path)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out += schema_keys(extra, f"{prefix}.<name>" if prefix else "<name>")
    if isinstance(node.get("items"), dict):
        out += schema_keys(node["items"], prefix + "[]")
    return out


def documented_keys():
    """The keys in the first column of the README's tables whose header starts with `| key |`."""
    keys, in_keys = set(), False
    for line in README.splitlines():
        if not line.startswith("|"):
            in_keys = False
        elif line.startswith("| key |"):
            in_keys = True
        elif in_keys and (m := re.match(r"\| `([^`]+)` \|", line)):
            keys.add(m.group(1))
    return keys


def test_the_walk_finds_the_schema_keys():
    keys = schema_keys()
    assert len(keys) > 250 and len(set(keys)) == len(keys)
    for k in ("name", "sampling.ode.method", "resources.<name>.gpu", "methods.<name>.train",
              "paper_figures.checkerboard.panels[].t_max", "paper_figures.sec7_3_digits.classifier.weight_decay"):
        assert k in keys
    assert "methods.<name>.train.steps" not in keys   # an override: documented under train


def test_every_schema_key_is_described_in_config_readme():
    missing = [k for k in schema_keys() if k not in documented_keys()]
    assert not missing, f"config/README.md lacks a row for {len(missing)} key(s): {missing}"


def test_config_readme_describes_no_key_the_schema_lacks():
    extra = sorted(documented_keys() - set(schema_keys()))
    assert not extra, f"config/README.md describes key(s) not in the schema: {extra}"
