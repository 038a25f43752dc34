"""What a batch computes once and every scope shares: the coding of every comment and the
company's touchpoint coordination.

A scope's pack should cost in proportion to the scope's own data. Two results are
organisation-wide whatever the scope: the themes of the comments (each scope filters its
own) and the coordination of the external touchpoints (each function reads its own row).
:func:`batch_cached` computes such a result once per process and, while a batch runs
(:func:`kit.data.shared_validation`, which ``kit report`` opens), once per batch: the first
kernel leaves it in the batch's private folder and the others read it. The key holds the
data files' signature (names, sizes, times) and the settings the result depends on, so a
changed file is never answered from the cache.

Example
-------
>>> import kit.themes
>>> from kit.config import SAMPLE_CONFIG
>>> from kit.context import open_engagement
>>> ctx = open_engagement(SAMPLE_CONFIG, scope="Regulatory")
>>> everything = coded_comments(ctx.cfg)  # comment text -> hits per theme
>>> mine = coded(ctx.cfg, ctx.current)  # looked up, not searched again
>>> mine.equals(kit.themes.code(ctx.current, codebook=ctx.cfg.codebook, prefilter=False))
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from kit import data, themes
from kit.config import Engagement

__all__ = ["batch_cached", "data_key", "coded_comments", "coded"]

T = TypeVar("T")

#: Results kept in this process (a kernel reused for several scopes, a notebook re-run).
_MEMORY: OrderedDict[tuple, object] = OrderedDict()
_MEMORY_SIZE = 8


def data_key(cfg: Engagement) -> tuple:
    """What an engagement's loaded data depends on: its files as they are now, and the
    settings that change what is loaded (as :func:`kit.data.load` keys its own cache)."""
    return data._signature(cfg.data_dir, cfg)


def _file(key: tuple) -> Path | None:
    folder = os.environ.get(data.SHARED_ENV)
    if not folder or not Path(folder).is_dir():
        return None
    return Path(folder) / (hashlib.sha256(repr(key).encode()).hexdigest() + ".shared.pickle")


def batch_cached(key: tuple | None, compute: Callable[[], T]) -> T:
    """``compute()``, once per ``key``: kept in this process and, while a batch runs, in its
    private folder for the other kernels. None as the key: computed every time."""
    if key is None:
        return compute()
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return _MEMORY[key]  # type: ignore[return-value]
    path = _file(key)
    value: object = None
    found = False
    if path is not None and path.is_file():
        with contextlib.suppress(Exception), open(path, "rb") as f:
            stored = pickle.load(f)  # noqa: S301 - this user's batch wrote it, privately
            found = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key
            value = stored[1] if found else None
    if not found:
        value = compute()
        if path is not None and not path.exists():
            with contextlib.suppress(OSError):
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, path)
    _MEMORY[key] = value
    while len(_MEMORY) > _MEMORY_SIZE:
        _MEMORY.popitem(last=False)
    return value  # type: ignore[return-value]


def _codebook_key(cfg: Engagement) -> tuple:
    path = Path(cfg.codebook) if cfg.codebook else themes.DEFAULT_CODEBOOK
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def coded_comments(cfg: Engagement) -> dict[str, tuple[int, ...]]:
    """Every comment of the engagement (all waves, all responses) coded once per batch with
    its codebook: :func:`kit.themes.counted_hits`, by comment text."""

    def compute() -> dict[str, tuple[int, ...]]:
        comments = data.load(cfg).responses["comment"]
        texts = themes.normalised(comments)
        return themes.counted_hits(texts[texts != ""], codebook=cfg.codebook)

    return batch_cached(("coded comments", data_key(cfg), _codebook_key(cfg)), compute)


def coded(cfg: Engagement, responses: pd.DataFrame) -> pd.DataFrame:
    """:func:`kit.themes.code` of ``responses`` with the engagement's codebook, the comments
    looked up in the batch's coding of every comment (:func:`coded_comments`); a comment not
    among them (edited data) is coded here. The same table either way, as it is made from
    each comment's text alone."""
    try:
        counted = coded_comments(cfg)
    except (data.DataError, OSError):  # the engagement's own files cannot be read now
        counted = None
    return themes.code(responses, codebook=cfg.codebook, counted=counted)
