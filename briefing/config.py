"""The settings: one frozen object (Config) built from defaults < config file < environment < flags, and
checked once, here. `brief make INPUT...` builds it from its flags alone; the daily job (`brief make --config
FILE`) from the file, the environment and the flags; the pipeline and the daily job read it.

The config file is TOML. Sections this module knows are checked key by key (a misspelt key is an
error that lists the valid ones); other sections ([email], ...) are kept, unread, in `sections` for
the features that own them. Relative paths in the file are relative to the file's own folder, so a
cron job finds the same files whatever its working directory.
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from briefing.errors import BriefError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ENV_HOME = "BRIEF_HOME"  # the user folder (state, lock); each test sets its own


def home() -> Path:
    """The user's data folder for brief: BRIEF_HOME, else the platform's usual place."""
    if os.environ.get(ENV_HOME, "").strip():
        return Path(os.environ[ENV_HOME].strip()).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "brief"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "brief"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "brief"


@dataclass(frozen=True)
class Config:
    # `brief make INPUT...`: files, folders, -, URLs (no key in the file; the daily job adds them to [sources])
    inputs: tuple[str, ...] = ()
    # [sources]
    feeds: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    since_hours: float = 24.0
    # [briefing]
    title: str | None = None  # None: the daily job's DAILY_TITLE; `brief make INPUT...` names it after its stories
    words: int = 250
    max_stories: int = 10
    single_source: bool = True  # keep stories that only one publisher reports
    model: str = "minilm"
    embedder: str = "minilm"  # the sentence embedder, by its registered name (models.embedders)
    # The daily job's first pass, which picks the day's likely stories from every article's lead: the embedder that
    # reads the leads, its vectors averaged with their words (triage.lead_groups); "" reads them with `embedder`
    # alone; "auto": minilm-static when `embedder` is the packaged MiniLM's (models.EMBEDDED_MINILM), else "".
    lead_embedder: str = "auto"
    support: str = "default"  # the support check, by its registered name (models.support_checks); no key yet
    device: str = "auto"  # for a generative model: auto | cpu | cuda | mps
    prompts: str = ""  # a folder whose prompt templates replace the built-in ones
    # What a generative model rewrites: articles | claims (abstractive.UNITS), or auto: claims (the only mode whose
    # rewrites were read fresh: models.md, "Rewriting claims by whole units only"); abstractive._generative reads it.
    rewrite: str = "auto"
    # [output]
    dir: str = "out"
    formats: tuple[str, ...] = ("md",)
    templates: str = ""  # a folder whose templates replace the built-in ones
    # [state]
    state: str = ""  # the SQLite file; "" means home()/state.sqlite
    lock_wait: float = 0.0  # seconds a second run waits for the first before giving up
    keep_days: int = 90  # articles, stories and claims older than this are pruned from the state
    # [fetch]
    timeout: float = 10.0
    max_mb: float = 5.0
    per_host: int = 2
    parallel: int = 8
    # [scale]: where the per-article work runs (briefing/scale.py)
    engine: str = "local"  # local | ray (the daily job's per-article work; the briefing itself maps on "local")
    address: str = ""  # Ray: "auto", "ray://host:10001", or "" for a local Ray started for the run
    workers: int = 2  # Ray: worker actors, each holding one embedding model
    num_gpus: float = 0.0  # Ray: GPUs (or a share of one) each worker holds
    # where the settings came from, and the sections other features read
    source: str | None = None
    sections: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    @property
    def digest_title(self) -> str:
        """The daily digest's title: the one set, else DAILY_TITLE."""
        return DAILY_TITLE if self.title is None else self.title

    @property
    def state_path(self) -> Path:
        return Path(self.state).expanduser() if self.state else home() / "state.sqlite"


DAILY_TITLE = "Morning briefing"

# section -> {key in the file: field name}
KEYS = {
    "sources": {"feeds": "feeds", "urls": "urls", "paths": "paths", "since_hours": "since_hours"},
    "briefing": {"title": "title", "words": "words", "max_stories": "max_stories", "single_source": "single_source",
                 "model": "model", "embedder": "embedder", "lead_embedder": "lead_embedder", "device": "device",
                 "prompts": "prompts", "rewrite": "rewrite"},
    "output": {"dir": "dir", "formats": "formats", "templates": "templates"},
    "state": {"path": "state", "lock_wait": "lock_wait", "keep_days": "keep_days"},
    "fetch": {"timeout": "timeout", "max_mb": "max_mb", "per_host": "per_host", "parallel": "parallel"},
    "scale": {"engine": "engine", "address": "address", "workers": "workers", "num_gpus": "num_gpus"},
}
# The largest sensible value of each number: beyond it a value is a typo (or inf, 1e308) that would
# overflow a timedelta or a byte count, not a wish.
MAXIMA = {"since_hours": 24 * 366 * 100, "lock_wait": 24 * 3600, "timeout": 3600, "max_mb": 20, "words": 5000,
          "max_stories": 1000, "per_host": 64, "parallel": 64, "keep_days": 100 * 366, "num_gpus": 64}
PATH_FIELDS = {"paths", "dir", "state", "templates", "prompts"}
# Environment variables above the file and below the flags.
ENV = {"BRIEF_STATE": "state", "BRIEF_MODEL": "model", "BRIEF_OUTPUT_DIR": "dir", "BRIEF_WORDS": "words"}
# The `brief make` flag of each setting, to name it in an error when the value came from the flag.
FLAGS = {"words": "--words", "title": "--title", "model": "--model", "embedder": "--embedder", "device": "--device",
         "prompts": "--prompts", "templates": "--templates", "engine": "--engine", "dir": "--output",
         "formats": "--format", "rewrite": "--rewrite"}
DEVICES = ("auto", "cpu", "cuda", "mps")
ENGINES = ("local", "ray")
REWRITES = ("auto", "articles", "claims")  # auto, then abstractive.UNITS (config imports no stage)


def _check(name: str, value: Any) -> Any:
    """A value of the field's type, or BriefError naming the key."""
    default = getattr(Config(), name)
    where = _key(name)
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise BriefError(f"{where} must be a list of strings")
        if name == "formats" and not value:
            raise BriefError(f"{where} must name at least one format (md, html, json)")
        return tuple(v.strip() for v in value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise BriefError(f"{where} must be true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise BriefError(f"{where} must be a whole number")
        if value < 1:
            raise BriefError(f"{where} must be at least 1")
        if name in MAXIMA and value > MAXIMA[name]:
            raise BriefError(f"{where} must be at most {MAXIMA[name]}, not {value}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise BriefError(f"{where} must be a number")
        if not math.isfinite(value):
            raise BriefError(f"{where} must be a finite number, not {value}")
        if value < 0:
            raise BriefError(f"{where} must not be negative")
        if name in MAXIMA and value > MAXIMA[name]:
            raise BriefError(f"{where} must be at most {MAXIMA[name]}, not {value:g}")
        if name in ("timeout", "max_mb") and value == 0:
            raise BriefError(f"{where} must be more than 0")
        return float(value)
    if not isinstance(value, str):
        raise BriefError(f"{where} must be a string")
    return value


def from_toml(text: str, source: str = "<config>", base: Path | None = None) -> dict[str, Any]:
    """A config file's text -> {field: value} for the keys it sets, plus its other sections."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise BriefError(f"{source}: not valid TOML ({e})") from None
    values: dict[str, Any] = {}
    for section, keys in KEYS.items():
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise BriefError(f"{source}: [{section}] must be a table")
        for key, value in table.items():
            if key not in keys:
                raise BriefError(f"{source}: unknown key {key!r} in [{section}]; valid keys: {', '.join(keys)}")
            name = keys[key]
            value = _check(name, value)
            if name in PATH_FIELDS and base is not None:
                value = tuple(_resolve(v, base) for v in value) if isinstance(value, tuple) else _resolve(value, base)
            values[name] = value
    values["sections"] = MappingProxyType({k: v for k, v in data.items() if k not in KEYS})
    return values


def _resolve(value: str, base: Path) -> str:
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base / p)


def load(path: str | Path | None = None, env: Mapping[str, str] | None = None, **flags: Any) -> Config:
    """Defaults < the config file at `path` < environment < flags (a flag left as None does not count), checked
    once: a wrong value is a BriefError that names where it came from (--words, BRIEF_WORDS, [briefing] words)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}  # field -> where its value came from, for the error messages
    if path is not None:
        p = Path(path).expanduser()
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BriefError(f"config file {path} does not exist",
                             hint=f"brief init {path} writes an example") from None
        except (OSError, UnicodeDecodeError) as e:
            raise BriefError(f"cannot read config file {path}: {getattr(e, 'strerror', None) or e}") from None
        values.update(from_toml(text, str(path), p.resolve().parent))
        origin.update((name, _key(name)) for name in values if name != "sections")
        values["source"] = str(p)
    for var, name in ENV.items():
        if env.get(var):
            raw = env[var]
            if name == "words":
                if not (raw.isascii() and raw.isdigit()):
                    raise BriefError(f"{var} must be a whole number, not {raw!r}")
                raw = int(raw)
            values[name], origin[name] = raw, var
    known = {f.name for f in fields(Config)}
    for name, value in flags.items():
        if name not in known:
            raise TypeError(f"no setting {name!r}")
        if value is not None:
            if name == "title" and isinstance(value, str):
                value = value.strip()
            values[name], origin[name] = value, FLAGS.get(name, name)
    config = replace(Config(), **values)
    _validate(config, origin)
    return config


def _key(name: str) -> str:
    return next(f"[{s}] {k}" for s, keys in KEYS.items() for k, f in keys.items() if f == name)


def _validate(config: Config, origin: Mapping[str, str]) -> None:
    """The checks beyond a value's type (from_toml checked the types in the file): ranges, names, folders."""
    def where(name: str) -> str:
        return origin.get(name, name)

    if not 20 <= config.words <= 5000:
        raise BriefError(f"{where('words')} must be between 20 and 5000, not {config.words}")
    if config.title is not None and not config.title.strip():
        raise BriefError(f"{where('title')} must not be empty")
    if config.device.lower() not in DEVICES:
        raise BriefError(f"unknown device {config.device!r}; valid devices: {', '.join(DEVICES)}")
    for name in ("prompts", "templates"):
        folder = getattr(config, name)
        if folder and not Path(folder).expanduser().is_dir():
            raise BriefError(f"{where(name)} {folder}: not a folder")
    if config.rewrite not in REWRITES:
        raise BriefError(f"{where('rewrite')}: unknown value {config.rewrite!r}; valid: {', '.join(REWRITES)}")
    if config.engine not in ENGINES:
        raise BriefError(f"unknown engine {config.engine!r}; valid engines: {', '.join(ENGINES)}")


EXAMPLE = """\
# brief's daily job: `brief make --config {name}` reads these sources, finds the day's stories,
# briefs each one with citations, and writes one digest. Cron runs it, for example at 6:30:
#   30 6 * * *  brief make --config /path/to/{name}
# Relative paths below are relative to this file's folder.

[sources]
# RSS 2.0, Atom or RDF feeds; each entry is followed to its page (its summary stands in if the page fails).
feeds = [
    # "https://example.org/news/feed.xml",
]
# Single pages to include, and local files or folders of articles (.txt .md .html .json .jsonl).
urls = []
paths = []
# Only feed entries published in the last this-many hours are read.
since_hours = 24

[briefing]
title = "Morning briefing"
# Most words in the whole digest's claims, shared among the stories (20 to 5000).
words = 250
max_stories = 10
# Keep stories that only one publisher reports (false: only stories two or more outlets carry).
single_source = true
# The condensing model; "minilm" is embedded and needs no download. A generative model (a Hugging Face
# id in the local cache, a folder, a .gguf file: see `brief models`) shortens the chosen claims instead.
model = "minilm"
# The sentence embedder, by its registered name (a wrong name lists the others). "minilm-hybrid": a static table
# reads every sentence and MiniLM only those that compete for claims or could disagree (less CPU; a few claims
# differ); "minilm-hybrid-int8": the same with MiniLM's int8 weights.
embedder = "minilm"
# What reads each article's lead in the first pass that picks the day's likely stories. "auto": with the embedded
# model, a static table distilled once from it (next to no CPU), its vectors averaged with the leads' words; ""
# reads them with the embedder above instead (slower: it runs the model on every article's lead), as "auto" does on
# the Ray engine (its workers read the leads).
lead_embedder = "auto"
# For a generative model: "auto", "cpu", "cuda" or "mps"; and a folder of prompt templates to use.
device = "auto"
# prompts = "my-prompts"

[output]
# Each run writes <dir>/briefing-<date>.<format> (md, html, json); re-running the same day rewrites the same
# files. To email the digest, add an [email] section and run with --send (see the README).
dir = "out"
formats = ["md", "html", "json"]
# A folder whose templates replace the built-in ones of the same name.
# templates = "my-templates"

[state]
# What was seen and published, so no story is repeated unless it has new claims (SQLite).
# Default: the user's data folder (~/.local/share/brief/state.sqlite; the BRIEF_HOME variable moves it).
# path = "brief-state.sqlite"
# Seconds a second run waits for a running one before it gives up with a message.
lock_wait = 0
# Days the state remembers articles, stories and claims; older ones are pruned after each digest.
keep_days = 90

[fetch]
# Per request: seconds to wait, the most megabytes read; requests at once to one site, and in all.
timeout = 10
max_mb = 5
per_host = 2
parallel = 8

[scale]
# Where the per-article work (extracting pages, splitting sentences, embedding) runs: "local" (this process)
# or "ray" (a Ray cluster; pip install 'brief[ray]'). The state and any secrets stay on this machine.
engine = "local"
# For Ray: "auto" (the cluster this machine is part of), "ray://host:10001", or "" (a local Ray for the run).
address = ""
# Ray worker processes, each holding one embedding model.
workers = 2
# GPUs (or a share of one, 0.5) each Ray worker holds, so Ray places the workers on GPU nodes. 0: CPU only.
num_gpus = 0
"""


def example(name: str = "briefing.toml") -> str:
    return EXAMPLE.format(name=name)
