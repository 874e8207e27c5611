"""The small image classifier of section 7.3's metrics (docs/paper.md), trained in the pipeline on the held-out
images (never on the generative models' training images): an MLP D -> hidden -> hidden -> classes with ReLU,
whose last hidden layer gives the features of the Frechet distance.

Frechet distance (FD): the squared Bures-W2 between Gaussian fits of the features of two image sets,
bures_w2(*gaussian_fit(f1), *gaussian_fit(f2))^2 (si.metrics), the FID's formula on this classifier's
features. Checkpoints are state dicts read back with weights_only=True.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn

from ..data import DequantisedImages, ImageSplit, centres
from ..io import atomic_write, write_json
from si.metrics import bures_w2, gaussian_fit

__all__ = ["DigitClassifier", "train_classifier", "save_classifier", "load_classifier", "frechet_distance"]


class DigitClassifier(nn.Module):
    """logits = head(features(x)), features = ReLU MLP with two hidden layers of width `hidden`."""

    def __init__(self, dim: int, classes: int, hidden: int = 128):
        super().__init__()
        self.dim, self.classes, self.hidden = int(dim), int(classes), int(hidden)
        self.body = nn.Sequential(nn.Linear(self.dim, self.hidden), nn.ReLU(), nn.Linear(self.hidden, self.hidden),
                                  nn.ReLU())
        self.head = nn.Linear(self.hidden, self.classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))


def _accuracy(net: DigitClassifier, x: torch.Tensor, labels: torch.Tensor) -> float:
    with torch.no_grad():
        return float((net(x).argmax(1) == labels).double().mean())


def train_classifier(split: ImageSplit, hidden: int = 128, steps: int = 2000, batch: int = 128, lr: float = 1e-3,
                     weight_decay: float = 1e-4, seed: int = 0):
    """Train on the classifier's training images (dequantised afresh every batch) and return (net, info):
    info has the test accuracy on the classifier's test images (their cell centres) and the sizes."""
    tr, te = split.classifier_train, split.classifier_test
    if tr.labels is None:
        raise ValueError(f"{tr.name} has no labels: the section 7.3 classifier needs class labels")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    classes = max(len(tr.classes), int(max(tr.labels.max(), te.labels.max())) + 1)
    net = DigitClassifier(tr.dim, classes, hidden)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    sampler, y_tr = DequantisedImages(tr), torch.from_numpy(tr.labels)
    for _ in range(int(steps)):
        k = torch.randint(0, len(tr), (batch,), generator=gen)
        loss = nn.functional.cross_entropy(net(sampler.draw(k, gen)), y_tr[k])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    net.eval()
    info = {"dim": tr.dim, "shape": list(tr.shape), "classes": classes, "hidden": int(hidden), "steps": int(steps),
            "batch": int(batch), "lr": lr, "seed": seed, "n_train": len(tr), "n_test": len(te),
            "train_accuracy": _accuracy(net, centres(tr), y_tr),
            "test_accuracy": _accuracy(net, centres(te), torch.from_numpy(te.labels))}
    return net, info


def save_classifier(net: DigitClassifier, info: dict, out) -> None:
    atomic_write(out, lambda p: torch.save({k: v.detach().cpu() for k, v in net.state_dict().items()}, p))
    write_json(Path(out).with_suffix(".json"), info)


def load_classifier(path) -> tuple:
    """(net, info) of a classifier written by save_classifier (weights_only=True)."""
    info = json.loads(Path(path).with_suffix(".json").read_text())
    net = DigitClassifier(info["dim"], info["classes"], info["hidden"])
    net.load_state_dict(torch.load(Path(path), map_location="cpu", weights_only=True))
    net.eval()
    return net, info


def frechet_distance(f1: torch.Tensor, f2: torch.Tensor) -> float:
    """Squared Bures-W2 between the Gaussian fits of two feature sets (module doc)."""
    return bures_w2(*gaussian_fit(f1), *gaussian_fit(f2)) ** 2
