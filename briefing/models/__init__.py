"""Condensing backends, looked up by name and loaded on first use.

A backend turns articles into statements, each tied to the sentences it rests on:

    class Backend(Protocol):
        name: str
        def condense(self, articles, vectors, embedder) -> list[list[Statement]]

The embedded default is extractive and registered here the same way any other backend would be.
A name that is not registered may be a generative model: a Hugging Face id in the local cache, a
folder or a .gguf file (models/locate.py finds it; abstractive.py condenses with it; ground.py keeps
only what its sources support). Nothing in this module imports torch: `brief --help` must stay fast.
"""
from __future__ import annotations

import os
from typing import Callable, Protocol

from briefing.errors import UnknownName
from briefing.types import Article, Statement

# torch's OpenMP threads spin while they wait for work. On a machine shared with other work (the
# 2-core machines here, a cron job beside a browser) the spinning threads fight the busy ones: a cold
# `brief make` of the examples took 7.5 s spinning against 3.9 s passive, measured side by side at a
# load average of 3.3. Set before torch is imported; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Backend(Protocol):
    name: str

    def condense(self, articles: list[Article], vectors: dict[int, "object"], embedder) -> list[list[Statement]]:
        ...


_REGISTRY: dict[str, Callable[[], Backend]] = {}
_ALIASES: dict[str, str] = {}
DEFAULT = "minilm"


def register(name: str, factory: Callable[[], Backend], aliases: tuple[str, ...] = ()) -> None:
    _REGISTRY[name] = factory
    for alias in aliases:
        _ALIASES[alias.lower()] = name


def names() -> list[str]:
    return sorted(_REGISTRY)


def canonical(name: str | None) -> str:
    """The registered name for `name`; else a generative model's path or Hugging Face id, once found on
    this machine; else UnknownName listing the names that exist, or ModelError saying where it looked."""
    name = (name or DEFAULT).strip()
    key = _ALIASES.get(name.lower(), name.lower())
    if key in _REGISTRY:
        return key
    from briefing.models import locate

    if "/" in name or "\\" in name or locate.looks_like_path(name) or os.path.exists(name):
        spec = locate.resolve(name)
        return spec.repo_id or str(spec.path)
    err = UnknownName("model", name, names())
    err.hint = "or a Hugging Face id (owner/name) in the local cache, a model folder, or a .gguf file"
    raise err


def get(name: str | None, device: str = "auto", prompts=None, **options) -> Backend:
    """The backend for `name`; a generative model gets a transformers generator, loaded on first use."""
    key = canonical(name)
    if key in _REGISTRY:
        return _REGISTRY[key]()
    from briefing.abstractive import AbstractiveBackend
    from briefing.models.generate import HFGenerator
    from briefing.models.locate import resolve
    from briefing.prompting import Prompts

    return AbstractiveBackend(HFGenerator(resolve(key), device=device, **options), prompts=Prompts(prompts))


def _extractive() -> Backend:
    from briefing.condense import ExtractiveBackend

    return ExtractiveBackend()


register(DEFAULT, _extractive, aliases=("default", "embedded", "all-minilm-l6-v2",
                                        "sentence-transformers/all-minilm-l6-v2", "extractive"))
