"""Training of the learned fields (docs/theory.md §3): the configuration (`config`), the trained model
and its checkpoints (`model`), the training loop (`loop`), what stops a failed run (`guard`), the
weight average (`average`) and the progress output (`progress`). Everything public is re-exported
here. Objectives of Albergo, Boffi & Vanden-Eijnden, arXiv:2303.08797.
"""
from .average import WeightAverage
from .config import LR_SCHEDULES, TrainConfig, learning_rate
from .guard import RUNAWAY_FACTOR, LossGuard, TrainingDiverged
from .loop import describe_sampler, is_standard_normal, make_adam, train
from .model import (CHECKPOINT_FORMAT, CheckpointError, TrainedModel, build_nets, file_sha256, load_model, sidecar_of,
                    verify_checkpoint)
from .progress import TrainingProgress, limit_threads

__all__ = ["TrainConfig", "learning_rate", "LR_SCHEDULES", "TrainedModel", "train", "load_model", "build_nets",
           "CHECKPOINT_FORMAT", "TrainingProgress", "limit_threads", "describe_sampler", "is_standard_normal",
           "TrainingDiverged", "LossGuard", "RUNAWAY_FACTOR", "WeightAverage", "make_adam", "CheckpointError",
           "verify_checkpoint", "sidecar_of", "file_sha256"]
