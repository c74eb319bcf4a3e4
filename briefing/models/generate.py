"""Text generation through transformers: AutoTokenizer with AutoModelForSeq2SeqLM or AutoModelForCausalLM.

The interface is batch-shaped and tiny (prompts in, texts out); the weights load on first use.
Decoding is deterministic (greedy, or the model's own beam search for seq2seq summarizers).
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from briefing import tuning
from briefing.config import DEVICES
from briefing.errors import ModelError
from briefing.models.locate import Damaged, ModelSpec, one_line, check_fits, tokenizer_problem, user_dir, weights_size

MAX_CONTEXT, MAX_NEW_TOKENS = tuning.GENERATE_MAX_CONTEXT, tuning.GENERATE_MAX_NEW_TOKENS  # see tuning.py


def pick_device(name: str) -> str:
    import torch

    name = (name or "auto").lower()
    if name not in DEVICES:
        raise ModelError(f"unknown device {name!r}; valid devices: {', '.join(DEVICES)}")
    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA GPU is usable here", hint="use --device cpu or auto")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ModelError("--device mps: Apple's Metal backend is not available here", hint="use --device cpu or auto")
    return name


def pick_dtype(device: str):
    """float32 on a CPU (half precision is slow or unsupported there), bfloat16 on a GPU that has it."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


def _quiet_transformers():
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def converted_dir(spec: ModelSpec) -> Path:
    """Where a GGUF file's dequantized weights are kept, so it is converted once, not on every run."""
    digest = hashlib.sha256(spec.fingerprint().encode()).hexdigest()[:20]
    return user_dir() / "converted" / f"{spec.path.stem[:40]}-{digest}"


DONE = ".complete"  # written last, inside the folder, before it is renamed into place


def converted_complete(folder: Path) -> bool:
    """A converted folder is whole: its marker, a config, weights that fill their files, a tokenizer."""
    if not (folder / DONE).is_file() or not (folder / "config.json").is_file():
        return False
    try:
        _params, nbytes = weights_size(folder)
    except (Damaged, OSError):
        return False
    return nbytes > 0 and tokenizer_problem(folder) is None


def convert_gguf(spec: ModelSpec) -> Path:
    """Dequantize a .gguf file into a transformers folder once; later runs load that folder in seconds."""
    dest = converted_dir(spec)
    if dest.exists():
        if converted_complete(dest):
            return dest
        # A run killed while writing, or a disk that filled up: start again rather than load half a model.
        shutil.rmtree(dest, ignore_errors=True)
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    _quiet_transformers()
    auto = AutoModelForSeq2SeqLM if spec.family == "seq2seq" else AutoModelForCausalLM
    check_fits(spec, 4, "cpu", converting=True)
    # transformers' GGUF reader draws its own tqdm bar, past disable_progress_bar(): only the CLI draws bars.
    from transformers import modeling_gguf_pytorch_utils as gguf_utils

    bar = getattr(gguf_utils, "tqdm", None)
    gguf_utils.tqdm = lambda it, *a, **k: it
    try:
        tok = AutoTokenizer.from_pretrained(str(spec.path.parent), gguf_file=spec.path.name, local_files_only=True)
        model = auto.from_pretrained(str(spec.path.parent), gguf_file=spec.path.name, local_files_only=True,
                                     dtype=torch.float32)
    except (ValueError, KeyError, OSError, NotImplementedError) as e:
        raise ModelError(f"can't load {spec.path} with transformers ({type(e).__name__}: {one_line(e)})",
                         hint="transformers reads GGUF files of llama, mistral, qwen2/3, gemma2/3, phi3 and a few "
                              "more architectures") from None
    finally:
        if bar is not None:
            gguf_utils.tqdm = bar
    tmp = dest.with_name(dest.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    # The weights are dequantized on load; what stops saving them is only the GGUF "quantizer" marker.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # float16 halves the disk a conversion takes; quantized weights lose nothing that matters by it.
    model.to(torch.float16).save_pretrained(tmp)
    tok.save_pretrained(tmp)
    (tmp / DONE).write_text(spec.fingerprint())
    try:
        tmp.rename(dest)
    except OSError:  # another run converted it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class HFGenerator:
    """A transformers model that writes text for a batch of prompts."""

    def __init__(self, spec: ModelSpec, device: str = "auto", batch_size: int = 4,
                 max_new_tokens: int | None = None, max_context: int | None = None):
        self.spec = spec
        self.name = spec.name
        self.style = spec.style
        self.device_request = device
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens or MAX_NEW_TOKENS
        self.max_context = max_context or MAX_CONTEXT
        self.calls = 0  # generate() batches run: a test counts these to prove the cache works
        self._device = None
        self._tok = None
        self._model = None

    def __getstate__(self) -> dict:
        """What crosses to another process (a Ray worker): the model's location and settings, never the loaded
        model, its tokenizer or the device picked here: the receiving process loads and picks its own."""
        return {**self.__dict__, "_device": None, "_tok": None, "_model": None}

    def settings(self) -> dict:
        """What besides the model and prompt changes the output: part of the cache key."""
        return {"max_new_tokens": self.max_new_tokens, "max_context": self.max_context, "dtype": self.dtype_name(),
                "decoding": "greedy-or-model-beams"}

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = pick_device(self.device_request)
        return self._device

    def dtype_name(self) -> str:
        return str(pick_dtype(self.device)).removeprefix("torch.")

    def fingerprint(self) -> str:
        return self.spec.fingerprint()

    def _load_tokenizer(self):
        if self._tok is not None:
            return self._tok
        from transformers import AutoTokenizer

        _quiet_transformers()
        folder = self._folder()
        try:
            tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        except Exception as e:  # the tokenizers library raises a bare Exception for a file it can't parse
            raise ModelError(f"can't load the tokenizer of {self.name} from {folder} ({one_line(e)})") from None
        if tok.pad_token is None:
            tok.pad_token = tok.eos_token or tok.unk_token
        tok.padding_side = "left" if self.spec.family == "causal" else "right"
        self._tok = tok
        return tok

    def _folder(self) -> Path:
        return convert_gguf(self.spec) if self.spec.kind == "gguf" else self.spec.path

    def _load(self):
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM

        _quiet_transformers()
        tok = self._load_tokenizer()
        dtype = pick_dtype(self.device)
        check_fits(self.spec, torch.finfo(dtype).bits // 8, self.device)
        auto = AutoModelForSeq2SeqLM if self.spec.family == "seq2seq" else AutoModelForCausalLM
        folder = self._folder()
        from safetensors import SafetensorError

        try:
            model = auto.from_pretrained(str(folder), local_files_only=True, dtype=dtype)
        except (ValueError, OSError, KeyError, SafetensorError) as e:
            raise ModelError(f"can't load model {self.name} from {folder} ({one_line(e)})") from None
        model.to(self.device)
        model.eval()
        if model.generation_config.pad_token_id is None:
            model.generation_config.pad_token_id = tok.pad_token_id
        self._model = model

    def context_tokens(self) -> int:
        """Tokens a prompt may take: the model's window, capped by max_context for speed."""
        import json

        folder = self._folder()
        cfg = json.loads((folder / "config.json").read_text())
        cfg = {**cfg.get("text_config", {}), **cfg}
        window = (cfg.get("max_encoder_position_embeddings") or cfg.get("max_position_embeddings")
                  or cfg.get("n_positions") or 0)
        if not window:
            limit = getattr(self._load_tokenizer(), "model_max_length", 0) or 0
            window = limit if 0 < limit < 1_000_000 else 512  # T5 has relative positions; it was trained on 512
        return int(min(window, self.max_context))

    def wrap(self, prompt: str) -> str:
        """The text the model reads: a chat turn through the model's own template, else the prompt itself."""
        if self.style != "chat":
            return prompt
        tok = self._load_tokenizer()
        return tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                       add_generation_prompt=True)

    def count_tokens(self, texts: list[str]) -> list[int]:
        tok = self._load_tokenizer()
        return [len(ids) for ids in tok(list(texts), add_special_tokens=False)["input_ids"]]

    def cut(self, text: str, n: int) -> str:
        """The first `n` tokens of `text`, as text."""
        tok = self._load_tokenizer()
        ids = tok(text, add_special_tokens=False)["input_ids"][:n]
        return tok.decode(ids, skip_special_tokens=True)

    def generate(self, prompts: list[str], max_new_tokens: int | None = None, first_line: bool = False) -> list[str]:
        """One output a prompt, in order; the prompts are wrapped already (see wrap()). `max_new_tokens` caps
        this call's answers (else the generator's own cap); `first_line` stops an answer at the end of its first
        line of text (a base model continuing a prompt does not stop on its own: it would write its cap)."""
        if not prompts:
            return []
        self._load()
        import torch

        tok, model = self._tok, self._model
        out = [""] * len(prompts)
        order = sorted(range(len(prompts)), key=lambda i: -len(prompts[i]))
        chat = self.style == "chat"
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            # A chat template writes its own special tokens; a plain prompt gets the tokenizer's.
            enc = tok([prompts[i] for i in idx], return_tensors="pt", padding=True, truncation=True,
                      max_length=self.context_tokens(), add_special_tokens=not chat)
            enc = {k: v.to(model.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
            kwargs = {"do_sample": False, "max_new_tokens": max_new_tokens or self.max_new_tokens,
                      "pad_token_id": tok.pad_token_id}
            if first_line and self.spec.family == "causal":
                kwargs["stopping_criteria"] = [_first_line_stop(tok, enc["input_ids"].shape[1])]
            if self.spec.family == "causal":
                # Small causal models loop; forbidding a long n-gram repeat stops that and little else.
                kwargs["no_repeat_ngram_size"] = 6
            try:
                with torch.inference_mode():
                    ids = model.generate(**enc, **kwargs)
            except torch.OutOfMemoryError:
                raise ModelError(f"model {self.name} ran out of memory on {self.device} while writing",
                                 hint="try a smaller model, or --device cpu") from None
            self.calls += 1
            if self.spec.family == "causal":
                ids = ids[:, enc["input_ids"].shape[1]:]
            for i, text in zip(idx, tok.batch_decode(ids, skip_special_tokens=True)):
                out[i] = text.strip()
        return out


def _first_line_stop(tok, prompt_tokens: int):
    """A transformers stopping criterion: a row is done once its answer has a line break after some text."""
    import torch
    from transformers import StoppingCriteria

    class FirstLine(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            texts = tok.batch_decode(input_ids[:, prompt_tokens:], skip_special_tokens=True)
            return torch.tensor([t.lstrip().find("\n") > 0 for t in texts], device=input_ids.device)

    return FirstLine()
