"""The abstractive backend: a transformers model rewrites each article, and grounding keeps what it may say.

For each article: look its output up in the cache (content hash + model + prompt + settings); else split
it into pieces that fit the model's context, render the condense prompt for each piece, generate in
batches, and cache what came out. Then every generated sentence is grounded (ground.py): kept with the
article sentences it rests on as support, or dropped and replaced by the best extractive sentence left.
An article of which nothing can be kept is condensed extractively instead, and the stats say so.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from briefing import condense, ground, models, shorten, tuning
from briefing import support as supportlib
from briefing.models.cache import GenerationCache, key_of
from briefing.prompting import CONDENSE, FUSE, REWRITE, Prompts
from briefing.types import Article, Claim, Statement, Story, Vectors

# What they do, what they were tuned on and the bench that shows them: tuning.py.
MAX_PIECES, MARGIN = tuning.ABSTRACTIVE_MAX_PIECES, tuning.ABSTRACTIVE_MARGIN
FUSE_MIN_COSINE, FUSE_MAX_GROWTH = tuning.FUSE_MIN_COSINE, tuning.FUSE_MAX_GROWTH
FUSE_MAX_STATEMENTS = tuning.FUSE_MAX_STATEMENTS
REWRITE_MAX_NEW_TOKENS = tuning.REWRITE_MAX_NEW_TOKENS
# What a generative model rewrites: each article (condensed by the model, then grounded), or only the claims a
# briefing chose (the articles condensed extractively; each claim rewritten from its own evidence, one short
# prompt a claim: far fewer tokens to read and write, and a rewrite checked against the very sentences it cites).
UNITS = ("articles", "claims")


@dataclass
class Plan:
    """One article's pieces, and what was left out of them."""

    pieces: list[str]
    sizes: list[int]  # sentences in each piece
    tokens: int
    shortened: str | None = None


@dataclass
class ArticleReport:
    source: int
    pieces: int = 0
    generated: int = 0
    kept: int = 0
    dropped: int = 0
    replaced: int = 0
    cached: bool = False
    fallback: str | None = None
    shortened: str | None = None
    reasons: Counter = field(default_factory=Counter)


def sentences_wanted(n_sentences: int) -> int:
    """A piece of n sentences is asked for about a quarter as many, 2 to 6."""
    return max(2, min(6, round(n_sentences / 4)))


class AbstractiveBackend:
    """A generative condenser: the model rewrites each article, and only what ground.py finds in it is kept."""

    def __init__(self, generator, prompts: Prompts | None = None, cache: GenerationCache | None = None,
                 max_pieces: int = MAX_PIECES, unit: str = "articles"):
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        self.unit = unit
        self.generator = generator
        self.name = generator.name
        self.prompts = prompts or Prompts()
        self.cache = cache if cache is not None else GenerationCache()
        self.max_pieces = max_pieces
        self.progress: Callable[[int], None] = lambda n: None
        self.prompts.source(CONDENSE)  # a missing template fails now, before any work
        if unit == "claims":
            self.prompts.source(REWRITE)

    # -- planning -------------------------------------------------------------------------------
    def _variables(self, article: Article, text: str, piece: int, pieces: int, n_sentences: int) -> dict:
        return {"style": self.generator.style, "model_type": getattr(getattr(self.generator, "spec", None),
                                                                     "model_type", ""),
                "title": article.title, "text": text, "piece": piece, "pieces": pieces,
                "sentences": sentences_wanted(n_sentences)}

    def plan(self, article: Article) -> Plan:
        """Split an article into pieces that fit the context, sentence by sentence; never cut silently."""
        gen = self.generator
        overhead = gen.count_tokens([gen.wrap(self.prompts.render(
            CONDENSE, **self._variables(article, "", 1, 2, len(article.sentences))))])[0]
        budget = gen.context_tokens() - overhead - MARGIN
        if gen.style != "seq2seq":
            budget -= gen.max_new_tokens  # a causal model's answer shares its window with the prompt
        budget = max(budget, 32)
        counts = gen.count_tokens([s.text for s in article.sentences])
        pieces: list[list] = [[]]
        used = 0
        cut = []
        for s, n in zip(article.sentences, counts):
            text = s.text
            if n > budget:
                text, n = gen.cut(text, budget), budget
                cut.append(s.index)
            if used + n + 1 > budget and pieces[-1]:
                pieces.append([])
                used = 0
            pieces[-1].append((s, text))
            used += n + 1
        notes = []
        if cut:
            notes.append(f"{len(cut)} sentence(s) longer than the model's {budget}-token window were cut to it")
        if len(pieces) > self.max_pieces:
            left = sum(len(p) for p in pieces[self.max_pieces:])
            notes.append(f"the article ({sum(counts)} tokens) needs {len(pieces)} pieces of the model's "
                         f"{budget}-token window; only the first {self.max_pieces} were condensed, its last "
                         f"{left} sentences were not")
            pieces = pieces[:self.max_pieces]
        texts = []
        for p in pieces:
            parts, last_para = [], None
            for s, text in p:
                sep = "" if last_para is None else (" " if s.paragraph == last_para else "\n\n")
                parts.append(sep + text)
                last_para = s.paragraph
            texts.append("".join(parts))
        return Plan(texts, [len(p) for p in pieces], sum(counts), "; ".join(notes) or None)

    def key(self, article: Article) -> str:
        gen = self.generator
        # The title is in the prompt, so it is in the key: one text under two headlines is two prompts.
        return key_of(article.title + "\n\n" + article.text, gen.fingerprint(), self.prompts.digest(CONDENSE),
                      {**gen.settings(), "max_pieces": self.max_pieces, "style": gen.style})

    # -- generation ------------------------------------------------------------------------------
    def outputs(self, articles: list[Article], reports: dict[int, ArticleReport]) -> dict[int, list[str]]:
        """Each article's model output, one text a piece: from the cache, else generated (and cached)."""
        out: dict[int, list[str]] = {}
        todo: list[tuple[Article, str]] = []
        by_key: dict[str, list[Article]] = {}
        for a in articles:
            k = self.key(a)
            hit = self.cache.get(k)
            if hit is not None:
                out[a.id] = hit["outputs"]
                reports[a.id].cached = True
                reports[a.id].pieces = len(hit["outputs"])
                reports[a.id].shortened = hit.get("shortened")
                self.progress(1)
                continue
            if k in by_key:
                by_key[k].append(a)  # a copy of an article already queued: generate once
                continue
            by_key[k] = [a]
            todo.append((a, k))
        if not todo:
            return out
        jobs: list[tuple[int, int, str]] = []  # (article id, piece, prompt)
        plans: dict[int, Plan] = {}
        for a, _k in todo:
            plan = self.plan(a)
            plans[a.id] = plan
            for i, (text, n) in enumerate(zip(plan.pieces, plan.sizes)):
                prompt = self.prompts.render(CONDENSE, **self._variables(a, text, i + 1, len(plan.pieces), n))
                jobs.append((a.id, i, self.generator.wrap(prompt)))
        results: dict[int, list[str]] = {a.id: [""] * len(plans[a.id].pieces) for a, _ in todo}
        left = {a.id: len(plans[a.id].pieces) for a, _ in todo}
        step = self._step()
        for start in range(0, len(jobs), step):
            batch = jobs[start:start + step]
            texts = self.generator.generate([p for _, _, p in batch])
            for (aid, i, _), text in zip(batch, texts):
                results[aid][i] = text
                left[aid] -= 1
                if left[aid] == 0:
                    self.progress(1)
        for a, k in todo:
            plan = plans[a.id]
            self.cache.put(k, self.name, {"outputs": results[a.id], "shortened": plan.shortened,
                                          "tokens": plan.tokens})
            for copy in by_key[k]:
                out[copy.id] = results[a.id]
                r = reports[copy.id]
                r.pieces, r.shortened = len(plan.pieces), plan.shortened
                if copy is not a:
                    self.progress(1)
        return out

    def _step(self) -> int:
        """Prompts a generate() call: one batch of the model's; a generator spread over workers (scale.py) takes
        one batch for each of its `parallel` calls at a time, and cuts them into the same batches."""
        return max(1, getattr(self.generator, "batch_size", 4)) * max(1, getattr(self.generator, "parallel", 1))

    # -- grounding -------------------------------------------------------------------------------
    def statements_for(self, article: Article, vecs: np.ndarray, texts: list[str], embedder,
                       report: ArticleReport) -> list[Statement]:
        sentences = [s for t in texts for s in ground.split_output(t)]
        report.generated = len(sentences)
        ranked = condense.rank_sentences(article, vecs)
        extractive_keep = condense.keep_count(len(ranked))
        if not sentences:
            report.fallback = "the model wrote nothing for this article"
            return self.extractive(article, vecs)
        gen_vecs = embedder.embed(sentences)
        grounded = ground.ground(article, vecs, sentences, gen_vecs)
        centroid = condense.centroid(vecs)
        out: list[Statement] = []
        used: set[int] = set()
        for g, v in zip(grounded, gen_vecs):
            if g.kept:
                score = condense.statement_score(float(v @ centroid), min(g.support))
                out.append(Statement(article=article.id, text=g.text, support=sorted(g.support), score=score,
                                     generated=True))
                used.update(g.support)
            else:
                report.reasons[g.reason] += 1
        report.kept = len(out)
        report.dropped = len(grounded) - len(out)
        if not out:
            report.fallback = ("nothing the model wrote could be grounded in the article "
                               f"({', '.join(f'{n} {r}' for r, n in report.reasons.most_common())})")
            return self.extractive(article, vecs)
        # Each dropped sentence gives its place to the best extractive sentence not yet said.
        room = max(0, min(report.dropped, extractive_keep - len(out)))
        for i, score in ranked:
            if room == 0:
                break
            if i in used:
                continue
            out.append(Statement(article=article.id, text=article.sentences[i].text, support=[i], score=score))
            used.add(i)
            report.replaced += 1
            room -= 1
        return out

    def extractive(self, article: Article, vecs: np.ndarray) -> list[Statement]:
        return condense.ExtractiveBackend().condense([article], {article.id: vecs}).statements[0]

    @property
    def fuser(self) -> "AbstractiveBackend":
        return self  # claims several sources make, rewritten as one grounded sentence

    def condense(self, articles: list[Article], vectors: Vectors, embedder,
                 advance: Callable[[int], None] | None = None) -> models.Condensed:
        self.progress = advance or (lambda n: None)  # a model is slow: the bar moves article by article
        reports = {a.id: ArticleReport(source=a.id) for a in articles}
        if self.unit == "claims":  # the model writes nothing here: it rewrites the chosen claims (fuse)
            plain = condense.ExtractiveBackend().condense(articles, vectors, embedder, advance)
            return models.Condensed(plain.statements, {**self.summary(list(reports.values()), 0), "unit": "claims"})
        calls_before = getattr(self.generator, "calls", 0)
        outputs = self.outputs(articles, reports)
        result = []
        for a in articles:
            result.append(self.statements_for(a, vectors[a.id], outputs.get(a.id, []), embedder, reports[a.id]))
        notes = {r.source: "condensed in part: " + r.shortened for r in reports.values() if r.shortened}
        return models.Condensed(result, self.summary(list(reports.values()),
                                                      getattr(self.generator, "calls", 0) - calls_before), notes)

    # -- fusing --------------------------------------------------------------------------------------
    def _generate_cached(self, jobs: list[tuple[str, str]], **options) -> tuple[list[str], int]:
        """(cache key, wrapped prompt) -> outputs in order, from the cache where it has them; and the hits."""
        out: list[str | None] = [None] * len(jobs)
        todo = []
        for i, (k, _p) in enumerate(jobs):
            hit = self.cache.get(k)
            if hit is not None:
                out[i] = hit["outputs"][0]
            else:
                todo.append(i)
        step = self._step()
        for start in range(0, len(todo), step):
            idx = todo[start:start + step]
            for i, text in zip(idx, self.generator.generate([jobs[i][1] for i in idx], **options)):
                out[i] = text
                self.cache.put(jobs[i][0], self.name, {"outputs": [text]})
        return [o or "" for o in out], len(jobs) - len(todo)

    def fuse(self, stories: list[Story], embedder, report: dict | None = None) -> models.Fused:
        """Rewrite each claim several sources make as one sentence from all their evidence, kept only when
        each cited sentence on its own supports it (the one support check) and it still says what the claim said."""
        claims: list[Claim] = [c for s in stories for c in s.claims if len(c.sources) >= 2]
        stats = dict(report or {})
        stats["fused"] = report = {"claims": len(claims), "kept": 0, "dropped": 0, "cached": 0}
        rewritten: dict[int, Claim] = {}  # id() of a claim -> its fused (or rewritten) copy
        options: dict = {}
        gen = self.generator
        settings = {**gen.settings(), "task": "fuse"}
        if self.unit == "claims":
            # One sentence an answer: a cap near a claim's length, and a base model stopped at its line's end.
            options = {"max_new_tokens": REWRITE_MAX_NEW_TOKENS, "first_line": True}
            settings = {**settings, **options}
            stats["rewritten"] = self._rewrite([c for s in stories for c in s.claims if len(c.sources) == 1],
                                               embedder, rewritten, options, stats)
        if not claims:
            return models.Fused(self._replaced(stories, rewritten), stats)
        digest = self.prompts.digest(FUSE)
        model_type = getattr(getattr(gen, "spec", None), "model_type", "")
        jobs, evidence = [], []
        for c in claims:
            ev = list(dict.fromkeys(x.evidence for x in c.citations))[:FUSE_MAX_STATEMENTS]
            evidence.append(ev)
            prompt = self.prompts.render(FUSE, style=gen.style, model_type=model_type, statements=ev)
            jobs.append((key_of("\n".join(ev), gen.fingerprint(), digest, settings), gen.wrap(prompt)))
        calls = getattr(gen, "calls", 0)
        outputs, report["cached"] = self._generate_cached(jobs, **options)
        stats["model_calls"] = stats.get("model_calls", 0) + getattr(gen, "calls", 0) - calls
        candidates = [(c, ev, (ground.split_output(o) or [""])[0]) for c, ev, o in zip(claims, evidence, outputs)]
        written = [(c, ev, t) for c, ev, t in candidates if t]
        if not written:
            return models.Fused(self._replaced(stories, rewritten), stats)
        vecs = embedder.embed([t for _, _, t in written] + [c.text for c, _, _ in written])
        n = len(written)
        for k, (c, ev, text) in enumerate(written):
            cosine = float(vecs[k] @ vecs[n + k])
            # The one check (support.py, as `brief verify` reads each citation): every sentence the claim
            # cites must support the fused text on its own, else the claim keeps its sources' words.
            cited = list(dict.fromkeys(x.evidence for x in c.citations))
            ok = (ground.well_formed(text) and cosine >= FUSE_MIN_COSINE
                  and len(text.split()) <= FUSE_MAX_GROWTH * len(c.text.split()) + 2
                  and ground.supported_by_each(text, cited)
                  and not any(ground.missing_facts(text, [e]) or supportlib.dropped_speaker(text, e) for e in cited)
                  and not ground.too_novel(text, ev)
                  # `--rewrite claims`: a fused sentence, like a rewrite of one, only shortens each sentence it cites
                  and not (self.unit == "claims" and any(ground.rewrite_only_shortens(text, e) for e in cited)))
            if ok and text != c.text:
                rewritten[id(c)] = replace(c, text=text, generated=True)
                report["kept"] += 1
            elif not ok:
                report["dropped"] += 1
        return models.Fused(self._replaced(stories, rewritten), stats)

    @staticmethod
    def _replaced(stories: list[Story], rewritten: dict[int, Claim]) -> list[Story]:
        return [replace(s, claims=[rewritten.get(id(c), c) for c in s.claims])
                if any(id(c) in rewritten for c in s.claims) else s for s in stories]

    def _rewrite(self, claims: list[Claim], embedder, rewritten: dict[int, Claim], options: dict,
                 stats: dict) -> dict:
        """`--rewrite claims`: each claim one source makes, rewritten from its own sentence (prompts/rewrite.j2),
        replaces it only when ground.rewrite_problem finds nothing: the rules a sentence the model wrote meets,
        held to each sentence the claim cites; or, when the model's own words fail, by the claim's sentence less the
        whole units the model left out (shorten.project), checked the same way. What it did: claims, not asked,
        kept (of them, projected), dropped (with the reasons), unchanged, cached."""
        report = {"claims": len(claims), "kept": 0, "dropped": 0, "cached": 0, "unchanged": 0, "dropped_reasons": {},
                  "not_asked": 0}
        # A claim whose sentence has nothing a shortening may leave out or move (shorten.can_shorten) is not asked
        # for: the model could only copy it, or be refused (a prompt saved: seconds a claim on a CPU).
        asked = [c for c in claims if all(shorten.can_shorten(x.evidence) for x in c.citations)]
        report["not_asked"] = len(claims) - len(asked)
        claims = asked
        if not claims:
            return report
        gen = self.generator
        settings = {**gen.settings(), "task": "rewrite", **options}
        digest = self.prompts.digest(REWRITE)
        model_type = getattr(getattr(gen, "spec", None), "model_type", "")
        jobs = []
        for c in claims:
            prompt = self.prompts.render(REWRITE, style=gen.style, model_type=model_type, sentence=c.text)
            jobs.append((key_of(c.text, gen.fingerprint(), digest, settings), gen.wrap(prompt)))
        calls = getattr(gen, "calls", 0)
        outputs, report["cached"] = self._generate_cached(jobs, **options)
        stats["model_calls"] = stats.get("model_calls", 0) + getattr(gen, "calls", 0) - calls
        texts = [(ground.split_output(o) or [""])[0] for o in outputs]
        written = [(c, t) for c, t in zip(claims, texts) if t]
        vecs = embedder.embed([t for _, t in written] + [c.text for c, _ in written]) if written else None
        reasons: Counter = Counter()
        reasons["empty"] = len(claims) - len(written)
        # (claim, its cited sentences, its sentence less the units the model left out, why the model's words failed)
        refused = []
        for k, (c, text) in enumerate(written):
            if " ".join(text.split()) == " ".join(c.text.split()):
                report["unchanged"] += 1  # the model copied its claim: nothing was rewritten
                continue
            cited = list(dict.fromkeys(x.evidence for x in c.citations))
            problem = ground.rewrite_problem(text, cited, float(vecs[k] @ vecs[len(written) + k]))
            if problem:
                # The model's words fail, but what it left out may still be whole units: the sentence less those
                # (shorten.project) is a shortening in the sentence's own words, checked by the same rules.
                projected = shorten.project(text, cited[0]) if len(cited) == 1 else None
                if projected:
                    refused.append((c, cited, projected, problem))
                else:
                    reasons[problem] += 1
            else:
                rewritten[id(c)] = replace(c, text=text, generated=True)
                report["kept"] += 1
        report["projected"] = 0
        if refused:
            pv = embedder.embed([p for _, _, p, _ in refused] + [c.text for c, _, _, _ in refused])
            for k, (c, cited, projected, problem) in enumerate(refused):
                if ground.rewrite_problem(projected, cited, float(pv[k] @ pv[len(refused) + k])):
                    reasons[problem] += 1
                else:
                    rewritten[id(c)] = replace(c, text=projected, generated=True)
                    report["kept"] += 1
                    report["projected"] += 1
        report["dropped_reasons"] = dict((r, n) for r, n in reasons.most_common() if n)
        report["dropped"] = sum(report["dropped_reasons"].values())
        return report

    def summary(self, reports: list[ArticleReport], calls: int) -> dict:
        reasons: Counter = Counter()
        for r in reports:
            reasons.update(r.reasons)
        return {
            "model": self.name,
            "style": self.generator.style,
            "generated": sum(r.generated for r in reports),
            "kept": sum(r.kept for r in reports),
            "dropped": sum(r.dropped for r in reports),
            "replaced": sum(r.replaced for r in reports),
            "dropped_reasons": dict(reasons.most_common()),
            "articles_cached": sum(r.cached for r in reports),
            "model_calls": calls,
            "fallback": [{"source": r.source, "reason": r.fallback} for r in reports if r.fallback],
            "shortened": [{"source": r.source, "reason": r.shortened} for r in reports if r.shortened],
            "articles": [{"source": r.source, "pieces": r.pieces, "generated": r.generated, "kept": r.kept,
                          "dropped": r.dropped, "replaced": r.replaced, "cached": r.cached,
                          "extractive_fallback": r.fallback is not None}
                         for r in reports],
        }


def _generative(key: str, device: str = "auto", prompts: str | None = None, rewrite: str = "auto",
                **options) -> AbstractiveBackend:
    """A condenser for a generative model that locate.py found under `key`: transformers, loaded on first use.
    `rewrite` "auto" is claims: the only mode whose rewrites were read fresh (models.md, "Rewriting claims by
    whole units only": 1 or 2 of 40 and 1 or 2 of 32 unfaithful, by two readers); articles mode's were not."""
    from briefing.models.generate import HFGenerator
    from briefing.models.locate import resolve

    return AbstractiveBackend(HFGenerator(resolve(key), device=device, **options), prompts=Prompts(prompts),
                              unit="claims" if rewrite == "auto" else rewrite)


models.condensers.fallback = _generative
