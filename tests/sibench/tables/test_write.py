"""sibench.tables.write / sections on constructed metrics: labels escaped in every format, failures and
non-finite cells shown as such (in the tables and on the summary), withheld values distinct and never
ranked, each benchmark led by its discriminating metric, W2 never ranked."""
import json
import re

import numpy as np
import pandas as pd

from sibench.stages.rows import COLUMNS
from sibench.tables import write_summary, write_tables
from sibench.tables.sections import benchmark_tables

HOSTILE = "<b>x</b> | a\\b {c} $d^e~f"
SEEDS = range(5)


def row(label, metric, value, seed, eps=0.0, sampler="ode-rk4", **kw):
    r = {c: None for c in COLUMNS}
    r.update(benchmark="gmm-pair", method=re.sub(r"\W", "", label) or "m", label=label, path="linear",
             gamma="brownian", a=1.0, objective="b,s", coupling="independent", seed=seed, eps=eps, sampler=sampler,
             steps=20, metric=metric, value=value, floor=0.0, n=2000)
    r.update(kw)
    return r


def frame():
    """A (lowest, separated), B (higher), F (training failed), N (non-finite everywhere, no status)."""
    rows = []
    for s in SEEDS:
        for lab, base in ((HOSTILE, 0.10), ("B", 0.30)):
            rows.append(row(lab, "field_rel_mse_b", base + 0.01 * s, s, eps=None, sampler="oracle"))
            rows.append(row(lab, "kl", base + 0.005 * (s % 2), s, stderr=0.001))
            rows.append(row(lab, "w2_z", -3.0 if lab == HOSTILE else 1.0 + 0.1 * s, s, sampler="ode-heun", n=1000))
        rows.append(row(HOSTILE, "kl", 0.2 + 0.001 * s, s, eps=0.5, sampler="sde-feynman-kac", ess=9.0))
        rows.append(row("B", "kl", np.nan, s, eps=0.5, sampler="sde-feynman-kac", ess=1.2,
                        status="withheld: ESS below 4 of 16 paths"))
        rows.append(row("N", "field_rel_mse_b", np.nan, s, eps=None, sampler="oracle"))
        rows.append(row("N", "kl", np.nan, s))
        for e in (0.0, 0.5):
            rows.append(row("F", "train_failed", 1.0, s, eps=e, sampler=None))
    return pd.DataFrame(rows, columns=COLUMNS)


TRUTH = {"benchmark": "gmm-pair", "n": 1000, "w2_floor": 0.5, "w2_floor_sd": 0.02, "entropy": 2.9, "entropy_se": 0.0,
         "has_oracle": True, "is_bridge": False, "support": False, "description": "a *test* pair"}


def write(tmp_path, df=None, truth=TRUTH):
    (df if df is not None else frame()).to_csv(tmp_path / "metrics.csv", index=False)
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    write_tables(tmp_path / "metrics.csv", tmp_path / "truth.json", truth["benchmark"], tmp_path / "t.md",
                 tmp_path / "t.tex", tmp_path / "t.html")
    write_summary(tmp_path / "metrics.csv", [tmp_path / "truth.json"], tmp_path / "summary.md", title="x")
    return {k: (tmp_path / f).read_text() for k, f in (("md", "t.md"), ("tex", "t.tex"), ("html", "t.html"),
                                                        ("summary", "summary.md"))}


def test_labels_are_escaped_in_every_format(tmp_path):
    out = write(tmp_path)
    # Markdown: the label's | and markup are escaped, so every table row still has its own cell count
    tables = [[ln for ln in block.splitlines() if ln.startswith("|")] for block in out["md"].split("\n\n")]
    tables = [t for t in tables if t]
    assert len(tables) >= 3
    for t in tables:
        bars = {len(re.findall(r"(?<!\\)\|", ln)) for ln in t}
        assert len(bars) == 1, t
    assert r"\<b\>x\</b\> \| a\\b {c} \$d\^e\~f" in out["md"]
    assert "\\*test\\*" in out["md"]                     # the description's markup too
    # HTML: entities, never the raw tag
    assert "&lt;b&gt;x&lt;/b&gt; | a\\b {c} $d^e~f" in out["html"] and "<b>x</b>" not in out["html"]
    # LaTeX: backslash, braces, $, ^, ~, |, < and > in text mode
    assert (r"\textless{}b\textgreater{}x\textless{}/b\textgreater{} \textbar{} a\textbackslash{}b \{c\} "
            r"\$d\textasciicircum{}e\textasciitilde{}f") in out["tex"]


def test_failed_and_non_finite_are_shown_as_such(tmp_path):
    out = write(tmp_path)
    for page in (out["md"], out["summary"]):
        lead = page.split("| method")[1].split("\n\n")[0]        # the first (lead) table
        f_row = next(ln for ln in lead.splitlines() if ln.startswith("| F "))
        n_row = next(ln for ln in lead.splitlines() if ln.startswith("| N "))
        assert "failed" in f_row and "n/a" not in f_row.split("|")[2]
        assert "non-finite (5/5 seeds)" in n_row
        assert "Training diverged" in page and "F (seeds 0, 1, 2, 3, 4)" in page
    assert "## gmm-pair: field error against the exact oracle" in out["summary"]


def test_withheld_is_distinct_and_blocks_the_best(tmp_path):
    tables = dict((t.title.split(",")[0], t) for _, t in benchmark_tables(frame(), TRUTH))
    kl = next(t for title, t in tables.items() if title.startswith("Paired KL"))
    col = kl.columns.index("ε=0.5")
    cell = kl.cells[kl.rows.index("B")][col]
    assert cell.kind == "withheld" and cell.text.startswith("withheld (ESS below 4 of 16 paths, at most 1.2; 5/5 seeds)")
    assert all(not row[col].mark for row in kl.cells)    # an unknown value may be the best: nothing marked
    # the ODE column has no withheld value: A is below B on every seed, separated
    ode = kl.columns.index("ε=0 (ODE)")
    assert kl.cells[kl.rows.index(HOSTILE)][ode].mark == "best"


def test_w2_is_shown_against_its_floor_and_never_ranked():
    w2 = next(t for name, t in benchmark_tables(frame(), TRUTH) if name == "W2 against its floor")
    assert not w2.ranked and not w2.marks()
    assert w2.cells[w2.rows.index(HOSTILE)][0].text.startswith("-3.0")


def test_each_benchmark_leads_with_its_discriminating_metric():
    df = frame()
    assert benchmark_tables(df, TRUTH)[0][0] == "field error against the exact oracle"
    no_oracle = df[~df["metric"].str.startswith("field_")]
    assert benchmark_tables(no_oracle, {**TRUTH, "has_oracle": False})[0][0] == "paired KL"
    support = pd.DataFrame([row(lab, "support_fraction", v + 0.01 * s, s, sampler="ode-heun")
                            for s in SEEDS for lab, v in (("A", 0.8), ("B", 0.6))], columns=COLUMNS)
    # a checkerboard: the support fraction leads; the KL (biased low by the mass outside the support) is not ranked
    tables = benchmark_tables(pd.concat([no_oracle, support]), {**TRUTH, "has_oracle": False, "support": True})
    assert tables[0][0] == "support fraction" and tables[0][1].marks() == [("A", "ε=0 (ODE)", "best")]
    kl = dict(tables)["paired KL"]
    assert not kl.ranked and not kl.marks() and "not ranked here" in kl.title
    bures = pd.DataFrame([row(lab, "bures_w2", v + 0.01 * s, s, t=t, sampler="ode-heun")
                          for s in SEEDS for t in (0.25, 0.5, 0.75, 1.0) for lab, v in (("A", 0.1), ("B", 0.2))],
                         columns=COLUMNS)
    lead_name, lead = benchmark_tables(pd.concat([df, bures]), {**TRUTH, "is_bridge": True})[0]
    assert lead_name == "distance to the exact bridge" and "t = 0.5 " in lead.title
