"""The seams: small protocols, and registries that look an implementation up by name and build it on first use.

    Embedder      name, dim, embed(texts) -> (n, dim) unit vectors                   embedders["minilm"]
    Condenser     name, condense(articles, vectors, embedder, advance) -> Condensed  condensers["minilm"]
    Fuser         fuse(stories, embedder, report) -> Fused    (optional: Condenser.fuser)
    SupportCheck  check(claim, evidence, cosine) -> Verdict                          support_checks["default"]
    Engine        map(fn, items) -> list                                   engines["local"], engines["ray"]

Built-in implementations register themselves the same way a plug-in or a test fake would: the stage module
that holds one calls `register` when it is imported (pipeline imports them all). A name a registry does not
hold gets UnknownName, listing the names it does. A condenser name that is not registered may be a generative
model (a Hugging Face id in the local cache, a folder or a .gguf file: locate.py finds it), built by the
registry's fallback, which abstractive.py sets.

Nothing here imports a stage module or torch: `brief --help` must stay fast, and imports point one way
(stages -> registries -> types).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Iterable, Protocol, TypeVar

import numpy as np

from briefing.errors import UnknownName
from briefing.types import Article, Statement, Story, Vectors

# torch's OpenMP threads spin while they wait for work. On a machine shared with other work (a cron job beside
# a browser, a small shared build machine) the spinning threads fight the busy ones, so passive waiting is the
# default. Set before torch is imported; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# -- the protocols --------------------------------------------------------------------------------------
class Embedder(Protocol):
    name: str  # names the vectors: a cache keyed by it never mixes two models' vectors
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit vector (a row) per text, in the order given."""
        ...

    # Optional: coarse, another embedder that reads every sentence first, so that this one reads only the sentences
    # that matter (the hybrid: models/hybrid_minilm.py, focus.py). Its vectors are never compared with this one's.


def coarse_of(embedder: Embedder) -> Embedder | None:
    """`embedder`'s coarse embedder where it has one (the Embedder protocol's optional member), else None."""
    return getattr(embedder, "coarse", None)


@dataclass
class Condensed:
    """What a condenser returns: each article's statements (in the articles' order), a report on how
    they were made (None when there is nothing to say, as for the extractive condenser), and a note for an
    article by its id (such as "condensed in part: ..."), which the pipeline adds to that article's notes."""

    statements: list[list[Statement]]
    report: dict | None = None
    notes: dict[int, str] = field(default_factory=dict)


@dataclass
class Fused:
    """What a fuser returns: the stories, with the claims it rewrote replaced, and the report with what it did."""

    stories: list[Story]
    report: dict | None


class Fuser(Protocol):
    def fuse(self, stories: list[Story], embedder: Embedder, report: dict | None) -> Fused:
        """Rewrite claims several sources make: new stories (the ones given are not changed) and the
        condenser's `report` with what it did added."""
        ...


class Condenser(Protocol):
    name: str  # printed as the briefing's model
    fuser: Fuser | None  # a second pass over the merged claims, or None

    def condense(self, articles: list[Article], vectors: Vectors, embedder: Embedder,
                 advance: Callable[[int], None]) -> Condensed:
        """Each article's key statements. `vectors`: its sentences' embeddings by article id; `embedder` embeds
        anything new (a model's sentences); `advance(n)` moves the progress bar by n articles as they are done."""
        ...


@dataclass(frozen=True)
class Verdict:
    supported: bool
    reason: str = ""


class SupportCheck(Protocol):
    name: str

    def check(self, claim: str, evidence: str, cosine: float) -> Verdict:
        """Does `evidence` (a source's sentence) say what `claim` says? `cosine`: their embeddings' cosine."""
        ...


class Engine(Protocol):
    name: str

    def map(self, fn: Callable[[Any], Any], items: list) -> list:
        """[fn(item) for item in items], wherever the engine runs them; results in the items' order. The pipeline
        maps each story's own work (merge.story_work) with it. An engine that runs elsewhere (the daily job's
        "ray", registered by scale.py) pickles fn and the items, so neither may hold open files or a database."""
        ...

    # Optional: condenser(backend) -> the condenser to run on this engine (the Ray engine's has its generative model
    # write on the workers: scale.RemoteGenerator). An engine without it condenses here (on_engine, below).


def on_engine(engine: Engine, backend: Condenser) -> Condenser:
    """`backend` as `engine` runs it: its own condenser(backend) where it has one, else `backend` itself (an
    engine written against map alone keeps working)."""
    move = getattr(engine, "condenser", None)
    return move(backend) if move is not None else backend


def ordered_map(engine: Engine) -> Callable[[Callable[[Any], Any], list], Iterable]:
    """`engine`'s imap where it has one (the results in order, each as soon as it and those before it are done:
    the caller's work on the first overlaps the engine's on the rest), else its map."""
    return getattr(engine, "imap", None) or engine.map


# -- the registries -----------------------------------------------------------------------------------
T = TypeVar("T")


@dataclass
class Registry(Generic[T]):
    """Factories by name (and alias, case-insensitive); `get` builds one with the options it is given."""

    kind: str
    default: str
    factories: dict[str, Callable[..., T]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    fallback: Callable[..., T] | None = None  # builds what `resolve` found for a name no one registered
    resolve: Callable[[str], str | None] | None = None  # an unregistered name -> its canonical form, or None

    def register(self, name: str, factory: Callable[..., T], aliases: tuple[str, ...] = ()) -> None:
        self.factories[name.lower()] = factory
        for alias in aliases:
            self.aliases[alias.lower()] = name.lower()

    def unregister(self, name: str) -> None:
        key = name.lower()
        self.factories.pop(key, None)
        for alias in [a for a, n in self.aliases.items() if n == key]:
            del self.aliases[alias]

    def names(self) -> list[str]:
        return sorted(self.factories)

    def canonical(self, name: str | None) -> str:
        """The registered name for `name` (or the fallback's canonical form), else UnknownName listing the names."""
        name = (name or self.default).strip()
        key = self.aliases.get(name.lower(), name.lower())
        if key in self.factories:
            return key
        found = self.resolve(name) if self.resolve else None
        if found is not None:
            return found
        raise UnknownName(self.kind, name, self.names())

    def get(self, name: str | None = None, **options) -> T:
        key = self.canonical(name)
        if key in self.factories:
            return self.factories[key](**options)
        if self.fallback is None:  # a bug, not a user's mistake: keep the traceback
            raise RuntimeError(f"no {self.kind} fallback is registered; import briefing.pipeline first")
        return self.fallback(key, **options)


def _generative_name(name: str) -> str | None:
    """A generative model's path or Hugging Face id, once found on this machine; None when `name` looks like
    no model at all (UnknownName follows); ModelError saying where it looked when it looks like one."""
    from briefing.models import locate

    if "/" in name or "\\" in name or locate.looks_like_path(name) or os.path.exists(name):
        spec = locate.resolve(name)
        return spec.repo_id or str(spec.path)
    return None


class _CondenserRegistry(Registry):
    def canonical(self, name: str | None) -> str:
        try:
            return super().canonical(name)
        except UnknownName as err:
            err.hint = "or a Hugging Face id (owner/name) in the local cache, a model folder, or a .gguf file"
            raise


embedders: Registry[Embedder] = Registry("embedder", "minilm")
condensers: Registry[Condenser] = _CondenserRegistry("model", "minilm", resolve=_generative_name)
support_checks: Registry[SupportCheck] = Registry("support check", "default")
engines: Registry[Engine] = Registry("engine", "local")

DEFAULT = condensers.default


# The condenser registry's names, as before (`models.canonical`, `models.get`, `models.names`).
def canonical(name: str | None) -> str:
    return condensers.canonical(name)


def get(name: str | None, **options) -> Condenser:
    return condensers.get(name, **options)


def names() -> list[str]:
    return condensers.names()


# -- the built-ins that live below the stages -------------------------------------------------------
def _minilm(**_options) -> Embedder:
    """The fp32 graph on ONNX Runtime, unless BRIEF_EMBEDDER says otherwise (int8, torch: minilm.shared)."""
    from briefing.models import minilm

    return minilm.shared()


def _minilm_torch(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("torch")


def _minilm_int8(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("int8")


def _minilm_fp32(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("onnx")


embedders.register("minilm", _minilm, aliases=("default", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"))
embedders.register("minilm-torch", _minilm_torch, aliases=("torch",))
embedders.register("minilm-int8", _minilm_int8, aliases=("int8",))
embedders.register("minilm-fp32", _minilm_fp32, aliases=("fp32", "onnx"))


def _minilm_static(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("static")


embedders.register("minilm-static", _minilm_static, aliases=("static",))


def _minilm_hybrid(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("hybrid")


embedders.register("minilm-hybrid", _minilm_hybrid, aliases=("hybrid",))


def _minilm_hybrid_int8(**_options) -> Embedder:
    from briefing.models import minilm

    return minilm.shared("hybrid-int8")


embedders.register("minilm-hybrid-int8", _minilm_hybrid_int8, aliases=("hybrid-int8",))
# The embedders of the packaged MiniLM (the static table is distilled from it): the daily job's first pass reads
# their leads with the static table ([briefing] lead_embedder = "auto").
EMBEDDED_MINILM = ("minilm", "minilm-fp32", "minilm-int8", "minilm-torch", "minilm-static", "minilm-hybrid",
                   "minilm-hybrid-int8")


class LocalEngine:
    """Runs everything here, in this process, in order."""

    name = "local"

    def map(self, fn, items):
        return [fn(item) for item in items]

    def condenser(self, backend):
        """The condenser to use on this engine: here, the one given (its model, if any, loads in this process)."""
        return backend


engines.register("local", LocalEngine)
