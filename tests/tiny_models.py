"""Tiny random-weight models built from configs, with a small tokenizer trained here: no downloads.

A model with random weights writes nonsense, which is the point: it exercises the real load ->
generate -> ground path, and grounding must drop every sentence it writes.
"""
from __future__ import annotations

import json
from pathlib import Path

CHAT_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                 "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SPECIALS = ["<pad>", "<s>", "</s>", "<unk>", "<|im_start|>", "<|im_end|>"]


def tokenizer(texts: list[str], chat: bool = False):
    """A byte-level BPE of 400 tokens trained on `texts`, as a transformers tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   unk_token="<unk>")
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def bart(folder: Path, texts: list[str], max_positions: int = 256) -> Path:
    """A one-layer BART that never ends early (its end token is suppressed), so it always writes nonsense."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    tok = tokenizer(texts)
    cfg = BartConfig(vocab_size=len(tok), d_model=32, encoder_layers=1, decoder_layers=1,
                     encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
                     max_position_embeddings=max_positions, pad_token_id=tok.pad_token_id,
                     bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                     decoder_start_token_id=tok.eos_token_id, forced_bos_token_id=None, forced_eos_token_id=None,
                     init_std=0.5)  # wide weights: varied nonsense rather than one token repeated
    model = BartForConditionalGeneration(cfg)
    with torch.no_grad():
        model.final_logits_bias[0, tok.eos_token_id] = -1e4
        model.final_logits_bias[0, tok.pad_token_id] = -1e4
    model.generation_config.max_length = 64
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def llama(folder: Path, texts: list[str], max_positions: int = 512) -> Path:
    """A one-layer Llama-style causal model whose tokenizer has a chat template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    tok = tokenizer(texts, chat=True)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=max_positions,
                      pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    model = LlamaForCausalLM(cfg)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def gguf_from_llama(llama_folder: Path, dest: Path) -> Path:
    """Write the tiny Llama as a GGUF file (F32 tensors, byte-level BPE tokenizer, chat template)."""
    import gguf
    from safetensors.torch import load_file

    sd = load_file(str(llama_folder / "model.safetensors"))
    cfg = json.loads((llama_folder / "config.json").read_text())
    tj = json.loads((llama_folder / "tokenizer.json").read_text())
    tokens = [""] * cfg["vocab_size"]
    for t, i in tj["model"]["vocab"].items():
        tokens[i] = t
    added = {a["id"] for a in tj["added_tokens"]}
    for a in tj["added_tokens"]:
        tokens[a["id"]] = a["content"]
    w = gguf.GGUFWriter(str(dest), "llama")
    w.add_context_length(cfg["max_position_embeddings"])
    w.add_embedding_length(cfg["hidden_size"])
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(cfg["num_attention_heads"])
    w.add_head_count_kv(cfg["num_key_value_heads"])
    w.add_layer_norm_rms_eps(cfg["rms_norm_eps"])
    w.add_rope_dimension_count(cfg["head_dim"])
    w.add_vocab_size(cfg["vocab_size"])
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([3 if i in added else 1 for i in range(len(tokens))])
    w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in tj["model"]["merges"]])
    w.add_bos_token_id(cfg["bos_token_id"])
    w.add_eos_token_id(cfg["eos_token_id"])
    w.add_pad_token_id(cfg["pad_token_id"])
    w.add_chat_template(CHAT_TEMPLATE)
    names = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}
    layer = {"self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
             "self_attn.o_proj": "attn_output", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
             "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm"}
    for k, v in sd.items():
        if k in names:
            n = names[k]
        else:
            parts = k.split(".")
            n = f"blk.{parts[2]}.{layer['.'.join(parts[3:-1])]}.weight"
        w.add_tensor(n, v.float().numpy())
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return dest
