"""The hybrid embedder: the static table reads every sentence, the transformer only the sentences that matter.

It is two embedders in one. `embed` is the transformer's (the fp32 MiniLM on ONNX Runtime): whatever a stage asks
it for (a claim, a generated sentence) is in the transformer's space, as with `minilm`. `coarse` is the static
table distilled from the same model (static_minilm.py): pipeline.brief reads every sentence with it to condense
and to group articles into stories, and then asks the transformer only for the sentences that compete for claims
and the sentences the support check and the conflicts compare them with (focus.py says which). The two spaces
are never compared with each other: the table's vectors have 256 dimensions and the transformer's 384, and each
stage is given one space's vectors only.
"""
from __future__ import annotations

import numpy as np


class HybridMiniLM:
    """`embed`: the transformer's vectors; `coarse`: the table that reads every sentence first."""

    def __init__(self, fine, coarse):
        self.fine, self.coarse = fine, coarse
        # embed gives the transformer's very vectors: a cache keyed by the name (the daily job's) may share them.
        self.name = fine.name

    @property
    def dim(self) -> int:
        return self.fine.dim

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.fine.embed(texts)
