"""DPO of tiny-sft with TRL's DPOTrainer (it runs here on the CPU with transformers 5), the
frozen tiny-sft as the reference model and the vision side frozen."""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Sequence
from typing import Any

from PIL import Image

from mmalign_eval.tinytrain.data import Pair
from mmalign_eval.tinytrain.encode import messages
from mmalign_eval.tinytrain.recipe import DPORecipe
from mmalign_eval.tinytrain.runtime import freeze_vision, say


def _assistant(text: str) -> list[dict[str, Any]]:
    return [{"role": "assistant", "content": [{"type": "text", "text": text}]}]


def preference_rows(pairs: Sequence[Pair], pictures: Sequence[Image.Image]) -> list[dict[str, Any]]:
    """Pairs in TRL's conversational vision format."""
    return [
        {
            "images": [pictures[p.image]],
            "prompt": messages(p.question),
            "chosen": _assistant(p.chosen),
            "rejected": _assistant(p.rejected),
        }
        for p in pairs
    ]


def optimise_preferences(
    policy: Any,
    reference: Any,
    processor: Any,
    rows: list[dict[str, Any]],
    recipe: DPORecipe,
    seed: int,
) -> dict[str, float]:
    """Train the policy in place; returns the trainer's last logged figures."""
    from datasets import Dataset
    from transformers.trainer_callback import PrinterCallback
    from trl.trainer.dpo_config import DPOConfig
    from trl.trainer.dpo_trainer import DPOTrainer

    freeze_vision(policy)
    reference.requires_grad_(False)
    # TRL's config still passes transformers' deprecated gradient_checkpointing names: its
    # FutureWarnings say nothing to a user building a demo model.
    with tempfile.TemporaryDirectory(prefix="tiny-dpo-") as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        config = DPOConfig(
            output_dir=scratch,
            max_steps=recipe.steps,
            per_device_train_batch_size=recipe.batch_size,
            learning_rate=recipe.learning_rate,
            beta=recipe.beta,
            seed=seed,
            data_seed=seed,
            logging_steps=recipe.steps,
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            bf16=False,
            fp16=False,
            gradient_checkpointing=False,
            dataloader_num_workers=0,
            disable_tqdm=True,
        )
        trainer = DPOTrainer(
            model=policy,
            ref_model=reference,
            args=config,
            train_dataset=Dataset.from_list(rows),
            processing_class=processor,
        )
        trainer.remove_callback(PrinterCallback)  # it prints raw log dicts to stdout
        say(f"tiny-dpo: TRL DPOTrainer, {recipe.steps} steps of {recipe.batch_size} pairs")
        trainer.train()
    logged = [h for h in trainer.state.log_history if "loss" in h]
    last = logged[-1] if logged else {}
    return {k: float(v) for k, v in last.items() if isinstance(v, int | float)}
