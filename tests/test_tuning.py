"""Every knob in briefing/tuning.py keeps its provenance: a comment that says what it was tuned on, or that it was not."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from briefing import tuning

SOURCE = Path(tuning.__file__).read_text(encoding="utf-8")
PUBLIC = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Words by which a comment says where a value came from: tuned, measured, chosen, set on data, or not tuned at all.
PROVENANCE = re.compile(r"\b(?:tuned|tuning|measured|chosen|set on|set in|judgment|bound)\b", re.IGNORECASE)


def _numeric_knobs(tree: ast.Module) -> list[tuple[str, int]]:
    """(name, line) of each public UPPER_CASE module-level name bound to a number."""
    out = []
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            for name in names:
                if isinstance(name, ast.Name) and PUBLIC.match(name.id):
                    if isinstance(getattr(tuning, name.id), (int, float)) and not isinstance(getattr(tuning, name.id), bool):
                        out.append((name.id, node.lineno))
    return out


def comment_block(lines: list[str], lineno: int) -> str:
    """The comment of the assignment on 1-based line lineno: its trailing comment, and the comment lines above its
    block (assignments written one under another, with no blank line, share the comment above the first)."""
    text = []
    line = lines[lineno - 1]
    if "#" in line:  # a comment of its own: the block's comment above is another knob's
        return line.split("#", 1)[1].strip()
    i = lineno - 2
    while i >= 0 and lines[i].strip() and not lines[i].lstrip().startswith("#"):
        i -= 1  # another assignment of the same block
    while i >= 0 and lines[i].lstrip().startswith("#"):
        text.append(lines[i].lstrip()[1:])
        i -= 1
    return " ".join(t.strip() for t in text)


def test_every_numeric_knob_has_a_comment_with_its_provenance():
    lines = SOURCE.splitlines()
    knobs = _numeric_knobs(ast.parse(SOURCE))
    assert len(knobs) >= 40  # the walk found the knobs at all
    missing = [name for name, line in knobs if not comment_block(lines, line)]
    assert not missing, f"knobs without a comment: {missing}"
    unsourced = [name for name, line in knobs if not PROVENANCE.search(comment_block(lines, line))]
    assert not unsourced, f"knobs whose comment says nothing of what they were tuned on: {unsourced}"


def test_the_comment_check_catches_a_bare_knob():
    lines = ["# -- a section", "", "# Tuned on the seeds.", "A = 1", "B = 2", "", "C = 3", "D = 4  # a bound, not tuned"]
    assert "Tuned on the seeds" in comment_block(lines, 5)  # B shares A's block
    assert comment_block(lines, 7) == ""  # C: a blank line cuts it from every comment
    assert PROVENANCE.search(comment_block(lines, 8))
    assert "seeds" not in comment_block(["# Tuned on the seeds.", "A = 1", "B = 2  # pieces of one article"], 3)


def test_the_stages_read_their_knobs_from_tuning():
    from briefing import conflicts, extract, merge, render, scale, select, store, support, verify

    assert (merge.SUPPORT, merge.STORY_LINK, merge.W_POSITION) == (
        tuning.MERGE_SUPPORT, tuning.MERGE_STORY_LINK, tuning.MERGE_W_POSITION)
    assert (conflicts.SAME_THING, conflicts.SHARED_CONTEXT) == (tuning.CONFLICTS_SAME_THING,
                                                               tuning.CONFLICTS_SHARED_CONTEXT)
    assert select.COVERAGE_WEIGHT == tuning.SELECT_COVERAGE_WEIGHT
    assert render.PLACE_OVERLAP == tuning.RENDER_PLACE_OVERLAP
    assert (extract.MAX_SENTENCES, scale.CHUNK, store.MAX_TEXT, verify.MAX_STATEMENTS) == (
        tuning.EXTRACT_MAX_SENTENCES, tuning.SCALE_CHUNK, tuning.STORE_MAX_TEXT, tuning.VERIFY_MAX_STATEMENTS)
    assert (merge.SUPPORT_F1, merge.STORY_MEANING) == (tuning.MERGE_SUPPORT_F1, tuning.MERGE_STORY_MEANING)
    assert (support.STEM, support.SUPPORT_RECALL, support.PARTIAL_RECALL, support.ATTRIBUTION_SHARE) == (
        tuning.SUPPORT_STEM, tuning.SUPPORT_RECALL, tuning.SUPPORT_PARTIAL_RECALL, tuning.SUPPORT_ATTRIBUTION_SHARE)
