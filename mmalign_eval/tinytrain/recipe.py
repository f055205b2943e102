"""The hyperparameters of the tiny demo models: part of their cache key, so a changed recipe
builds a new model instead of reusing an old one."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mmalign_eval.hashing import stable_hash

# Scenes of every synthetic test set come from seed 0 (toolkit.shapes); training scenes come
# from their own seed and are checked to be disjoint from those (data.training_scenes).
TRAIN_SEED = 1812


@dataclass(frozen=True)
class DataRecipe:
    """What the training set holds and how biased its labels are."""

    num_images: int = 2048
    existence_questions: int = 2  # per image and label (present / absent)
    # SFT labels say "Yes" for this share of absent objects that share a theme with an object
    # in the image: the co-occurrence hallucination real SFT data teaches.
    hallucinated_yes: float = 0.7
    # ... and SFT captions name one such absent object with this probability.
    hallucinated_caption: float = 0.5


@dataclass(frozen=True)
class VisionRecipe:
    """Stage 1: the vision tower and projector learn object tags (stands in for CLIP)."""

    steps: int = 1500
    batch_size: int = 32
    learning_rate: float = 3e-3


@dataclass(frozen=True)
class SFTRecipe:
    """Stage 2: supervised fine-tuning of the language model, vision frozen."""

    steps: int = 800
    batch_size: int = 64
    learning_rate: float = 3e-3
    warmup_steps: int = 50


@dataclass(frozen=True)
class DPORecipe:
    """DPO of tiny-sft on preference pairs (TRL's DPOTrainer), tiny-sft as the reference."""

    steps: int = 150
    batch_size: int = 16
    learning_rate: float = 5e-4
    beta: float = 0.1


@dataclass(frozen=True)
class RewardRecipe:
    """Bradley-Terry training of a linear reward head on tiny-sft's backbone."""

    steps: int = 300
    batch_size: int = 16
    learning_rate: float = 1e-3


@dataclass(frozen=True)
class Recipe:
    """The whole recipe of the three demo models."""

    seed: int = 0
    data: DataRecipe = DataRecipe()
    vision: VisionRecipe = VisionRecipe()
    sft: SFTRecipe = SFTRecipe()
    dpo: DPORecipe = DPORecipe()
    reward: RewardRecipe = RewardRecipe()

    def key(self) -> str:
        """A short hash of every hyperparameter."""
        return stable_hash(asdict(self))[:10]


DEFAULT_RECIPE = Recipe()
