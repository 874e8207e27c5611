"""Training of the learned fields (docs/theory.md §3): the configuration (`config`), the trained model
and its checkpoints (`model`), the training loop (`loop`) and its progress output (`progress`).
Everything public is re-exported here. Objectives of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from .config import TrainConfig
from .loop import describe_sampler, is_standard_normal, train
from .model import CHECKPOINT_FORMAT, TrainedModel, build_nets, load_model
from .progress import TrainingProgress, limit_threads

__all__ = ["TrainConfig", "TrainedModel", "train", "load_model", "build_nets", "CHECKPOINT_FORMAT",
           "TrainingProgress", "limit_threads", "describe_sampler", "is_standard_normal"]
