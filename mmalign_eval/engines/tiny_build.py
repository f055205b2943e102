"""Builder of the tiny model: tokenizer trained locally, random weights, saved with HF APIs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    CLIPVisionConfig,
    LlamaConfig,
    LlavaConfig,
    LlavaForConditionalGeneration,
    LlavaProcessor,
    PreTrainedTokenizerFast,
)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

_SEED = 0
_VOCAB_SIZE = 512
_IMAGE_SIZE = 32
_PATCH_SIZE = 8
_MAX_POSITIONS = 2048
_SPECIAL_TOKENS = (
    "<unk>",
    "<pad>",
    "<s>",
    "<|end|>",
    "<image>",
    "<|user|>",
    "<|assistant|>",
    "<|system|>",
)
_CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<image>{% elif part['type'] == 'text' %}{{ part['text'] }}"
    "{% endif %}{% endfor %}{% endif %}<|end|>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
_COLOURS = ("red", "green", "blue", "yellow", "black", "white", "orange", "purple", "gray")
_SHAPES = ("circle", "square", "triangle", "star", "rectangle", "dog", "cat", "car", "person")
_PHRASES = (
    "Yes",
    "No",
    "yes",
    "no",
    "Answer the question using a single word or phrase.",
    "Please describe this image in detail.",
    "Describe the image.",
    "The image shows a simple scene on a plain background.",
    "There is no object in the image.",
    "What colour is the shape?",
    "How many objects are there?",
    "one two three four five",
    "Is there a person in the picture? Answer yes or no.",
    "The photo contains several small objects, large shapes and bright colours.",
    "A man is sitting at a table next to a window with a cup.",
)


def build(out_dir: Path) -> None:
    """Write the tiny model and its processor into out_dir."""
    tokenizer = _build_tokenizer()
    processor = LlavaProcessor(  # type: ignore[no-untyped-call]
        image_processor=CLIPImageProcessorPil(
            size={"shortest_edge": _IMAGE_SIZE},
            crop_size={"height": _IMAGE_SIZE, "width": _IMAGE_SIZE},
        ),
        tokenizer=tokenizer,
        patch_size=_PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,
        chat_template=_CHAT_TEMPLATE,
    )
    save_quietly(_build_model(tokenizer), processor, out_dir)


def save_quietly(model: Any, processor: Any, out_dir: Path) -> None:
    """save_pretrained both, without transformers' progress bar (a 1 MB model needs none)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        model.save_pretrained(out_dir)
        processor.save_pretrained(out_dir)
    finally:
        hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def _corpus() -> Iterator[str]:
    yield from _PHRASES
    for colour in _COLOURS:
        for shape in _SHAPES:
            yield f"Is there a {colour} {shape} in the image?"
            yield f"There is a {colour} {shape} in the image."
            yield f"A {colour} {shape}."


def _build_tokenizer() -> PreTrainedTokenizerFast:
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=_VOCAB_SIZE,
        special_tokens=list(_SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus(), trainer)
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tokenizer,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="<|end|>",
        model_max_length=_MAX_POSITIONS,
        extra_special_tokens={"image_token": "<image>"},
    )


def _token_id(tokenizer: PreTrainedTokenizerFast, token: str) -> int:
    token_id = tokenizer.convert_tokens_to_ids(token)
    if not isinstance(token_id, int):
        raise TypeError(f"expected one id for {token!r}, got {token_id!r}")
    return token_id


def _build_model(tokenizer: PreTrainedTokenizerFast) -> LlavaForConditionalGeneration:
    vision_config = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        image_size=_IMAGE_SIZE,
        patch_size=_PATCH_SIZE,
        projection_dim=32,
    )
    text_config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=_MAX_POSITIONS,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    config = LlavaConfig(
        vision_config=vision_config,
        text_config=text_config,
        image_token_index=_token_id(tokenizer, "<image>"),
        image_seq_length=(_IMAGE_SIZE // _PATCH_SIZE) ** 2,
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
    )
    # Initialise on CPU in float32 from a private RNG, so the weights never depend on the
    # caller's seed, default dtype or default device, and the caller's RNG is left untouched.
    previous_dtype = torch.get_default_dtype()
    with torch.random.fork_rng(devices=[]), torch.device("cpu"):
        torch.manual_seed(_SEED)
        torch.set_default_dtype(torch.float32)
        try:
            model = LlavaForConditionalGeneration(config)
        finally:
            torch.set_default_dtype(previous_dtype)
    model.eval()  # type: ignore[no-untyped-call]
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    return model


def add_reward_head(folder: Path) -> None:
    """A seeded random linear reward head beside the tiny model's weights (untrained: its
    rewards are noise, like the tiny model's answers)."""
    from mmalign_eval.engines.reward import write_linear_head

    hidden = int(LlavaConfig.from_pretrained(folder).get_text_config().hidden_size)
    generator = torch.Generator().manual_seed(_SEED + 1)
    weight = torch.randn(1, hidden, generator=generator) / hidden**0.5
    write_linear_head(folder, weight, torch.zeros(1))
