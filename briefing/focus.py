"""Which sentences the transformer reads, with the hybrid embedder (models/hybrid_minilm.py).

The static table has read every sentence; the extractive condenser has ranked each article's statements with its
vectors, and the stories are grouped with them (story_groups). Each story's candidates are then ranked as
merging ranks them (merge.build_story: position, how close the other articles come, the sources whose closest
sentence passes the support check, recency), in the table's space, without the conflicts; and the transformer
reads only:
  - the best of those, until they hold COMPETE times the story's share of the words: the candidates that compete
    for claims, and the only ones that do;
  - the sentences of other articles that the support check accepted for them there (their likely citations);
  - every sentence the conflicts' own text test could pair with a sentence of another article of its story
    (conflicts.contestable: the slots compare()'s findings need, the names gate, the things counted once,
    tallies, measures and market moves; no vectors), so that merging's conflict pairs are those the transformer would find reading everything;
  - for each competing statement, its NEIGHBOURS closest sentences (by the table's cosines) in every other article
    of its story (0: none beyond the citations).
Merging then runs again on the competing statements alone, in the transformer's space, among these sentences
(the conflicts too): a sentence the transformer did not read has a zero vector there, whose cosine with anything
is 0, under every threshold that links, supports or contrasts two sentences (a zero never passes for a match),
and which adds nothing to an article's mean. The table's vectors are used only to rank and to retrieve, each
among themselves: the two spaces are never compared.
"""
from __future__ import annotations

import numpy as np

from briefing import conflicts, merge, tuning
from briefing.types import Article, Statement, Vectors

COMPETE, NEIGHBOURS = tuning.FOCUS_COMPETE, tuning.FOCUS_NEIGHBOURS
STORY_SIMILAR, MIN_SENTENCES = tuning.FOCUS_STORY_SIMILAR, tuning.FOCUS_MIN_SENTENCES


def story_groups(articles: list[Article], coarse: Vectors) -> list[list[int]]:
    """merge.story_groups over the table's vectors, at the table's own threshold (its cosines run higher)."""
    return merge.story_groups(articles, coarse, STORY_SIMILAR)


def focus(articles: list[Article], statements: dict[int, list[Statement]], coarse: Vectors, fine, words: int,
          support=None, compete: float | None = None, neighbours: int | None = None
          ) -> tuple[dict[int, list[Statement]], Vectors, Vectors]:
    """(the statements that compete; every sentence's vector in `fine`'s space, zero for the sentences it does not
    read; the competing statements' vectors). `statements`: each article's (the extractive condenser's); `coarse`:
    every sentence's vector in the table's space; `words`: the briefing's budget, which the stories share as
    merge.make_stories shares it (by their articles); `support`: the support check merging uses."""
    compete = COMPETE if compete is None else compete
    neighbours = NEIGHBOURS if neighbours is None else neighbours
    kept: dict[int, list[Statement]] = {a.id: [] for a in articles}  # a copy's compete with nothing (never merged)
    read: dict[int, set[int]] = {a.id: set() for a in articles}
    originals = [a for a in articles if a.duplicate_of is None]  # a copy is never merged (merge.make_stories)
    groups = story_groups(originals, coarse)
    for group in groups:
        story = [originals[i] for i in group]
        share = max(merge.MIN_SHARE, round(words * len(group) / len(originals))) if len(groups) > 1 else words
        stmt = [coarse[a.id][[st.support[0] for st in statements[a.id]]] for a in story]
        candidates, _ = merge.build_story(story, [statements[a.id] for a in story], coarse, stmt, support, pairs=[])
        where = merge.sentence_index(story)
        held, chosen = 0, set()
        for c in sorted(candidates, key=lambda c: -c.score):  # stable: the condenser's order among equals
            if held >= compete * share:
                break
            held += merge.claim_words(c)
            chosen.add(id(c.statement))
            read[c.statement.article].update(c.statement.support)
            for cit in c.citations:
                at = where.get((cit.source, cit.evidence))
                if at is not None:
                    read[at[0]].add(at[1])
        # The sentences a disagreement could be found between, by the conflicts' own text test (no vectors): the
        # transformer reads them, so that merging's conflict pairs are compared in its space as with `minilm`.
        for a, rows in conflicts.contestable(merge.story_sentences(story)).items():
            read[a].update(rows)
        for a in story:
            kept[a.id] = [st for st in statements[a.id] if id(st) in chosen]
            rows = [st.support[0] for st in kept[a.id]]
            if not rows or neighbours <= 0:
                continue
            for b in story:
                if b.id == a.id or not len(coarse[b.id]):
                    continue
                sims = coarse[b.id] @ coarse[a.id][rows].T  # the table's cosines, among the table's vectors
                k = min(neighbours, len(sims))
                read[b.id].update(np.argpartition(-sims, k - 1, axis=0)[:k].ravel().tolist())
    by_id = {a.id: a for a in articles}
    todo = [(a, i) for a in read for i in sorted(read[a])]
    flat = fine.embed([by_id[a].sentences[i].text for a, i in todo]) if todo else np.zeros((0, fine.dim), np.float32)
    sent_vecs = {a.id: np.zeros((len(a.sentences), flat.shape[1]), dtype=np.float32) for a in articles}
    for (a, i), v in zip(todo, flat):
        sent_vecs[a][i] = v
    stmt_vecs = {a: sent_vecs[a][[st.support[0] for st in kept[a]]] for a in kept}
    return kept, sent_vecs, stmt_vecs
