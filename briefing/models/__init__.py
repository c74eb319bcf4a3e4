"""Condensing backends, looked up by name and loaded on first use.

A backend turns articles into statements, each tied to the sentences it rests on:

    class Backend(Protocol):
        name: str
        def condense(self, articles, vectors, embedder) -> list[list[Statement]]

The embedded default is extractive and registered here the same way any other backend would be.
Nothing in this module imports torch: `brief --help` must stay fast.
"""
from __future__ import annotations

from typing import Callable, Protocol

from briefing.errors import UnknownName
from briefing.types import Article, Statement


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
    """The registered name for `name`, or UnknownName listing the names that exist."""
    name = (name or DEFAULT).strip()
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in _REGISTRY:
        raise UnknownName("model", name, names())
    return key


def get(name: str | None) -> Backend:
    return _REGISTRY[canonical(name)]()


def _extractive() -> Backend:
    from briefing.condense import ExtractiveBackend

    return ExtractiveBackend()


register(DEFAULT, _extractive, aliases=("default", "embedded", "all-minilm-l6-v2",
                                        "sentence-transformers/all-minilm-l6-v2", "extractive"))
