"""The paper's section 7.3 (figures 15-17) on images every machine has: scikit-learn's 8 x 8 digits (or a local
image folder, sibench.data), docs/paper.md. One-sided linear and trig interpolants learning b with s or eta,
ODE and SDE from x0 ~ N(0, I); the mirror interpolant (rho0 = rho1 = the images) learning eta (with v, which
is zero for this path: I = x1) and sampled by the SDE at eps = 10 from held-out images. No FID (the paper
reports none); instead, for one trained model (rule sec7_3_evaluate), per sampler:

  * FD: squared Bures-W2 between Gaussian fits of the pipeline classifier's features (sibench.paper.
    sec7_3_classifier) of the samples and of the generative training images, with a bootstrap sd over the
    samples; its floor is the FD of the held-out real images at their own size;
  * the classifier on the samples: total variation between its predicted-class frequencies and the
    training images' class frequencies (class balance), and its mean confidence (max softmax probability)
    beside its confidence on real held-out images;
  * memorisation: each sample's nearest training image in l1, reported as the mean absolute pixel difference
    in intensity levels (l1 / D, levels 0..L-1), against the held-out images' distance to their nearest
    training image and the training images' leave-one-out distance; "below" is the share of samples nearer
    to a training image than the 5th percentile of the held-out distances (0.05 expected without memorising);
  * mirror only: the distance to the starting image and the share of samples whose predicted class differs
    from the starting image's label.
Samples are kept as they come (not clipped); the figure clips to [-1, 1] for display only. A sample set with a
pixel not finite or beyond |x| = DIVERGED_ABS = 10 is not measured: its row says "diverged" (status, with
diverged_fraction) and carries no FD or distances. Pixels live in [-1, 1] and the SDE tracks rho_t, whose pixels are
x1 + gamma z (mirror, gamma <= 1/2) or alpha z + beta x1 (one-sided, alpha <= 1), so |x| > 10 is a z beyond 9 sd
(P < 1e-14 over 1000 x 64 pixels): a blown-up trajectory, and one such sample decides the FD (3e9 below).

Windows. Dequantised pixels have a standard deviation of only (2/L)/sqrt(12) (0.034 for the digits), so near
t = 1 the score's curvature is ~1/(alpha^2 + 0.0012) and an explicit SDE step is stable only if eps h times it
stays below ~2: the one-sided SDE stops at t_max = 0.95 (SDE_WINDOW), then one ODE step of b to t = 1 (as
si.sampling does). The mirror SDE at eps = 10 is as stiff near both ends (gamma^2 = t(1-t)) and runs on
MIRROR_WINDOW = [0.05, 0.95]: its start is the held-out image taken as x at t = 0.05 (an O(gamma(0.05)) = 0.22
error that the strong noise forgets at once). Measured with the exact eta of the training set (each dequantised
image as N(centre, 0.0012 I)), 1000 samples, heun: on [0.05, 0.95] eps h / (gamma^2 + 0.0012) is 0.92 at the ends
with 200 steps and no sample leaves |x| <= 1.32 (50 steps: <= 4.7); on [1e-3, 0.999] it is 23 and every sample
blows up. The window is what the explicit step needs.

The mirror's learned eta. With eta learned at the default scale (3 x 256, 2500 steps) the same SDE blew up 8.2% of
its samples (FD 3e9), and neither the step nor the window is the cause: 7.5% with 500 heun steps, 7.4% with 1000,
8.2% with euler-maruyama, 7.3% on [0.1, 0.9]. The blow-ups begin anywhere in t in (0.1, 0.8), far from the stiff
ends, and grow by ~2x per 0.045 in t (200 steps): a property of the learned drift (gamma' - eps/gamma) eta,
not of its discretisation. eps = 10 makes the SDE explore rho_t's tails, where eta is barely trained; there the
learned drift's radial rate <x, f>/|x|^2 turns from -11 to -17 (typical samples) to +11 at t = 0.73 and +37 at t = 0.95
once |x| exceeds ~4 (learned v stays ~0.002 until then): the network's extrapolation points eta against x and
eps / gamma = 20-45 amplifies it. Longer training of the mirror model (models[].train) shrinks the share of
blown-up samples (5000 steps: 0.5%); docs/paper.md §7.3 gives the setting the default uses.
"""
from __future__ import annotations

import time
from typing import Dict, List

import numpy as np
import torch

from ..data import DequantisedImages, centres
from ..io import save_npz, write_csv
from ..seeds import figure_generator
from .sec7_3_classifier import frechet_distance, load_classifier
from .sec7_models import load_split
from si.sampling import SCORE_WINDOW, sample_ode, sample_sde
from si.training import load_model

SDE_WINDOW = (SCORE_WINDOW[0], 0.95)
MIRROR_WINDOW = (0.05, 0.95)

DIVERGED_ABS = 10.0

__all__ = ["SDE_WINDOW", "MIRROR_WINDOW", "DIVERGED_ABS", "nearest_l1", "diverged_fraction", "sample_status",
           "sample_metrics", "evaluate_digits_model", "write_digits_evaluation"]


def nearest_l1(x: torch.Tensor, reference: torch.Tensor, exclude_self: bool = False, chunk: int = 256) -> torch.Tensor:
    """min over the rows of `reference` of the l1 distance to each row of x (exclude_self: x is reference and
    the zero distance of each row to itself is skipped)."""
    out = []
    for i in range(0, x.shape[0], chunk):
        D = torch.cdist(x[i:i + chunk].double(), reference.double(), p=1)
        if exclude_self:
            D[torch.arange(D.shape[0]), torch.arange(i, i + D.shape[0])] = float("inf")
        out.append(D.min(1).values)
    return torch.cat(out)


def diverged_fraction(x: torch.Tensor, bound: float = DIVERGED_ABS) -> float:
    """Share of the samples (rows of x) with a pixel that is not finite or beyond |x| = bound (module doc)."""
    return float((~torch.isfinite(x) | (x.abs() > bound)).any(1).double().mean())


def sample_status(diverged: float, n: int, bound: float = DIVERGED_ABS) -> str:
    """'ok', or why the sample set is not reported (its metrics are left empty)."""
    if diverged == 0.0:
        return "ok"
    return f"diverged: {round(diverged * n)} of {n} samples not finite or beyond |x| = {bound:g}"


def _levels(l1: torch.Tensor, dim: int, levels: int) -> torch.Tensor:
    """l1 distance on [-1, 1]^D as a mean absolute pixel difference in intensity levels."""
    return l1 / dim * levels / 2.0


def sample_metrics(x: torch.Tensor, net, ref_features: torch.Tensor, ref_freq: np.ndarray, train: torch.Tensor,
                   heldout_nn: torch.Tensor, levels: int, B: int, generator: torch.Generator) -> Dict[str, float]:
    """FD (with bootstrap sd), class balance, confidence and nearest-neighbour distances of samples x (n, D)."""
    with torch.no_grad():
        feats, probs = net.features(x), torch.softmax(net(x), 1)
    fd = frechet_distance(feats, ref_features)
    boot = [frechet_distance(feats[torch.randint(0, len(x), (len(x),), generator=generator)], ref_features)
            for _ in range(B)]
    freq = np.bincount(probs.argmax(1).numpy(), minlength=len(ref_freq)) / len(x)
    nn = _levels(nearest_l1(x, train), x.shape[1], levels)
    return {"fd": fd, "fd_boot_sd": float(np.std(boot, ddof=1)) if B > 1 else float("nan"),
            "class_tv": float(0.5 * np.abs(freq - ref_freq).sum()), "confidence": float(probs.max(1).values.mean()),
            "nn_median": float(nn.median()), "nn_mean": float(nn.mean()),
            "nn_below_heldout_p5": float((nn < torch.quantile(heldout_nn, 0.05)).double().mean()),
            "class_frequencies": " ".join(f"{f:.3f}" for f in freq)}


def evaluate_digits_model(checkpoint, classifier, label: str, settings: dict, device="cpu"):
    """Rows (one per sampler and eps, plus the real held-out images), and sample images, for one model."""
    s = settings
    seed = int(s.get("seed", 0))
    gen = lambda *parts: figure_generator(seed, "sec7_3", *parts)  # noqa: E731
    split = load_split(s["data"])
    net, info = load_classifier(classifier)
    model = load_model(checkpoint, device=device)
    L, D = split.train.levels, split.train.dim
    train = centres(split.train)
    heldout = torch.cat([centres(split.classifier_train), centres(split.classifier_test)])
    with torch.no_grad():
        ref_features = net.features(train)
        heldout_conf = float(torch.softmax(net(centres(split.classifier_test)), 1).max(1).values.mean())
    ref_freq = np.bincount(split.train.labels, minlength=info["classes"]) / len(split.train)
    heldout_nn = _levels(nearest_l1(heldout, train), D, L)
    train_nn = _levels(nearest_l1(train, train, exclude_self=True), D, L)
    B = int(s.get("fd_bootstrap", 20))
    common = {"model": label, "path": model.interpolant.path, "objective": model.objective, "levels": L, "dim": D,
              "classifier_test_accuracy": info["test_accuracy"], "heldout_confidence": heldout_conf,
              "heldout_nn_median": float(heldout_nn.median()), "train_loo_nn_median": float(train_nn.median()),
              "heldout_nn_p5": float(torch.quantile(heldout_nn, 0.05))}
    real = {"sampler": "real held-out", "eps": float("nan"), "n": len(heldout), "fd_boot_sd": float("nan"), "status": "ok",
            "fd": frechet_distance(net.features(heldout).detach(), ref_features),
            "nn_median": float(heldout_nn.median())}
    rows: List[Dict] = [{**common, **real}]
    n = int(s["n"])
    mirror = model.interpolant.mirror
    if mirror:   # start from held-out images (their labels known), dequantised
        test = split.classifier_test
        k = torch.randint(0, len(test), (n,), generator=gen("mirror-start", label))
        x0 = DequantisedImages(test).draw(k, gen("mirror-u", label))
        start_labels = torch.from_numpy(test.labels)[k]
        runs = [("sde", float(e)) for e in s.get("mirror_eps", [10.0])]
        window = tuple(s.get("mirror_window", MIRROR_WINDOW))
    else:
        x0 = torch.randn(n, D, generator=gen("x0"))
        runs = [("ode", 0.0)] + [("sde", float(e)) for e in s["eps"]]
        window = tuple(s.get("sde_window", SDE_WINDOW))
    shown = {}
    for sampler, e in runs:
        t0 = time.process_time()
        with torch.no_grad():
            if sampler == "ode":
                res = sample_ode(model.b, x0.to(device), steps=int(s["ode"]["steps"]), method=s["ode"]["method"])
            else:
                res = sample_sde(model.b, model.s, x0.to(device), steps=int(s["sde"]["steps"]),
                                 method=s["sde"]["method"], eps=e, generator=gen("sde", label, e),
                                 t_min=window[0], t_max=window[1])
        x = res.x.float().cpu()
        row = {**common, "sampler": sampler, "eps": e, "n": n, "nfe": res.nfe, "sample_cpu_s": time.process_time() - t0,
               "t_min": 0.0 if sampler == "ode" else window[0], "t_max": 1.0 if sampler == "ode" else window[1],
               "finite_fraction": float(torch.isfinite(x).all(1).double().mean()),
               "outside_unit_box": float((x.abs() > 1).double().mean()), "diverged_fraction": diverged_fraction(x)}
        row["status"] = sample_status(row["diverged_fraction"], n)
        if row["status"] == "ok":
            row.update(sample_metrics(x, net, ref_features, ref_freq, train, heldout_nn, L, B, gen("fd", label, e)))
            if mirror:
                with torch.no_grad():
                    pred = net(x).argmax(1)
                row["start_l1_median"] = float(_levels((x - x0).abs().sum(1), D, L).median())
                row["class_changed"] = float((pred != start_labels).double().mean())
        shown[f"{sampler}_eps{e:g}"] = x[: int(s.get("show", 10))].numpy()
        rows.append(row)
    if mirror:
        shown["start"] = x0[: int(s.get("show", 10))].numpy()
    shown["train_examples"] = train[: int(s.get("show", 10))].numpy()
    return rows, shown


def write_digits_evaluation(checkpoint, classifier, label: str, settings: dict, device, out_csv, out_npz) -> None:
    """Rule sec7_3_evaluate: the rows (CSV) and the images shown in the figure (npz)."""
    import pandas as pd
    rows, shown = evaluate_digits_model(checkpoint, classifier, label, settings, device)
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False), flush=True)
    write_csv(out_csv, frame)
    save_npz(out_npz, shown)
