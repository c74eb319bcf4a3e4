#!/usr/bin/env python3
"""The read-through of generated claims: both packaged models on the seeds and five MultiLing 2011 clusters.

    python bench/gen_readthrough.py OUTDIR [--models SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf]
        [--clusters M000 M003 M007 M008 M009] [--words 1000] [--brief .venv/bin/brief] [--reuse]
        [--labels bench/gen_readthrough_labels.jsonl] [--events g5w-event-N ...] [--held-out-events N] [--no-seeds]
        [--skip-held-out K] [--rewrite articles|claims]

--rewrite claims runs `brief make --rewrite claims` (the model rewrites only the claims the briefing chose) and
prints how many one-source claims there were, how many the model was not asked to rewrite (their sentences have
nothing a shortening may leave out: briefing/shorten.py), how many it was asked, copied unchanged, and how many
rewrites were kept (of them, how many "projected": the claim's sentence less the whole units the model left out,
where the model's own words failed), and the fused claims asked and kept. --skip-held-out K makes
--held-out-events N take the N events after the first K (session 5 read the first ten; session 6 read the next
ones: bench/gen_readthrough_labels_s6.jsonl, whose "read" field says which read each label belongs to).

For each model and each input (the seeds, examples/state-visit, then each cluster written as a folder of
.txt files the way ../shared/tools/brief_on_dataset.py writes them) it runs, as a user would:

    brief make INPUT --model MODEL -f json -o OUTDIR/MODEL/NAME.json --words N -q
    brief verify SUMMARY.md INPUT -f json        # SUMMARY.md: the briefing's claims, one list item each

and writes OUTDIR/MODEL/claims.md: every claim the model wrote (`claims[].generated`), each citation's
verbatim evidence, and `brief verify`'s verdict, for reading by hand. It prints, per model and in all: the
briefings, claims, generated claims, how many of them `brief verify` says are supported (by some source),
how many of their citations it says support them, and the seconds `brief make` took.

The five clusters: the five shortest of the ten (M000 2,368 words, M003 2,534, M007 2,787, M008 2,816,
M009 3,111; the others run to 5,185): a small model writes about 4 tokens a second on this shared 2-core
machine, and both models had to run within one working session. The choice was made by length, before any
output was seen. `--words 1000` (not the default 250) so that each briefing carries more claims to read;
the condensing (the model's slow part) does not depend on it.

--events and --held-out-events N add Giveme5W1H events (../shared/eval/giveme5w1h_events.jsonl), each written
as a folder in OUTDIR/inputs (outside the project): N takes the first N events, in file order, of three or more
articles that none of the support check's labelled pairs come from (chosen before any output was seen). Their
texts belong to their publishers and may not be copied into the project, so a label for a claim of such an input
names the claim by a hash of its words ("claim_sha256", as the script prints it) instead of the words, and its
"why" quotes nothing; read the claim itself in OUTDIR/MODEL/kept.md.

With --kept it also condenses each input in-process (from the cache: no model call) and takes every
sentence grounding kept, the pool the briefing's claims are chosen from, a larger sample than the claims
a briefing has room for; it runs `brief verify` on those too and writes OUTDIR/MODEL/kept.md.

With --labels (a JSONL file of {"model", "claim", "label": "faithful"|"loose"|"unfaithful", "why"}, written
by reading claims.md against the labelling rules of ../shared/eval/README.md; the evidence it quotes is from
the seeds and MultiLing 2011: WikiNews texts, CC BY 2.5; the MultiLing 2011 pilot data set, CC BY 3.0, the
MultiLing community), it also prints the tally of
the labels of this run's generated claims, and lists the generated claims no label covers.

Model outputs are cached in BRIEF_HOME (keyed by article, model, prompt and settings): run it once to
generate (slow: minutes a cluster), and again after a change to grounding to re-check the same outputs
cheaply. --reuse skips `brief make` where OUTDIR already holds the briefing.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "eval" / "multiling2011_en.jsonl"
# Giveme5W1H events (measure only: their texts must not be copied into the project, so their labels hold a hash
# of the claim, not its words, and a reason that quotes nothing).
EVENTS = ROOT.parent / "shared" / "eval" / "giveme5w1h_events.jsonl"
PAIRS = ROOT.parent / "shared" / "eval" / "support_pairs.jsonl"  # the support check's labelled set
MODELS = ["SmolLM2-135M-Instruct.Q4_1.gguf", "gemma-3-270m-q4_k_m.gguf"]
CLUSTERS = ["M000", "M003", "M007", "M008", "M009"]


def write_cluster(cluster: dict, folder: Path) -> None:
    """As ../shared/tools/brief_on_dataset.py writes it (title, blank line, text), so cached outputs match."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, a in enumerate(cluster["articles"]):
        title = (a.get("title") or "").strip()
        body = a.get("text") or ""
        (folder / f"article_{i:03d}.txt").write_text(f"{title}\n\n{body}" if title else body, encoding="utf-8")


def held_out_events(n: int, min_articles: int = 3, skip: int = 0) -> list[str]:
    """The first `n` Giveme5W1H events, in file order, of at least `min_articles` articles and none of the
    events the support check's labelled pairs come from (it was tuned on those): chosen before any output."""
    tuned = {json.loads(line)["cluster"] for line in open(PAIRS, encoding="utf-8") if line.strip()}
    out = []
    for line in open(EVENTS, encoding="utf-8"):
        c = json.loads(line)
        if c["id"] not in tuned and len(c["articles"]) >= min_articles and len(out) < skip + n:
            out.append(c["id"])
    return out[skip:]


def is_private(name: str) -> bool:
    """An input whose texts may not be copied into the project (Giveme5W1H)."""
    return name.startswith("g5w-")


def claim_key(name: str, text: str) -> str:
    """How a label names its claim: the words themselves, or for a Giveme5W1H input a hash of them."""
    text = one_line(text)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if is_private(name) else text


def inputs(out: Path, names: list[str], events: list[str] = ()) -> list[tuple[str, Path]]:
    found = [("seeds", ROOT / "examples" / "state-visit")]
    wanted = {f"multiling2011-en-{n}": n for n in names}
    for line in open(DATA, encoding="utf-8"):
        c = json.loads(line)
        if c["id"] in wanted:
            folder = out / "inputs" / wanted[c["id"]]
            write_cluster(c, folder)
            found.append((wanted[c["id"]], folder))
    missing = set(names) - {n for n, _ in found}
    if missing:
        raise SystemExit(f"no such cluster in {DATA}: {', '.join(sorted(missing))}")
    by_id = {}
    if events:
        by_id = {c["id"]: c for c in map(json.loads, open(EVENTS, encoding="utf-8"))}
    for e in events:
        if e not in by_id:
            raise SystemExit(f"no such event in {EVENTS}: {e}")
        folder = out / "inputs" / e
        write_cluster(by_id[e], folder)
        found.append((e, folder))
    return found


def one_line(text: str) -> str:
    return " ".join(text.split())


def verify(brief: str, claims: list[dict], folder: Path, work: Path) -> list[dict]:
    """`brief verify` on the claims (one list item each) against the input: one result per claim, in order."""
    summary = work.parent / f"{work.name}.summary.md"
    summary.write_text("".join(f"- {one_line(c['text'])}\n" for c in claims), encoding="utf-8")
    report = work.parent / f"{work.name}.verify.json"
    r = subprocess.run([brief, "verify", str(summary), str(folder), "-f", "json", "-o", str(report)],
                       capture_output=True, text=True)
    if r.returncode not in (0, 6):
        raise SystemExit(f"brief verify exited {r.returncode}: {r.stderr.strip()}")
    v = json.loads(report.read_text(encoding="utf-8"))
    if len(v["sentences"]) != len(claims):
        raise SystemExit(f"brief verify read {len(v['sentences'])} statements from {len(claims)} claims ({summary})")
    # Its checks name a source by its number in verify's own reading of the folder; a briefing numbers only the
    # articles it kept (one left empty by cleaning is skipped): both are renamed by file, so they meet.
    path = {x["id"]: x["path"] for x in v.get("sources", [])}
    for sent in v["sentences"]:
        for k in sent["checks"]:
            k["source"] = path.get(k["source"], k["source"])
    return v["sentences"]


def kept_sentences(model: str, folder: Path) -> list[tuple[str, list[str]]]:
    """Every sentence grounding kept for the input's articles (the pool the briefing's claims are chosen
    from), with its evidence sentences: the model's outputs come from the cache `brief make` filled, so
    this writes nothing new; it condenses in-process, as `brief make` does, through the same backend."""
    from briefing import models, pipeline
    from briefing.ingest import read_inputs

    docs, skipped = read_inputs((str(folder),))
    articles = pipeline.articles_from(docs, skipped)
    embedder = models.embedders.get("minilm")
    backend = models.condensers.get(models.canonical(model))
    vectors = {a.id: embedder.embed([s.text for s in a.sentences]) for a in articles}
    condensed = backend.condense(articles, vectors, embedder)
    by_id = {a.id: a for a in articles}
    return [(st.text, [by_id[st.article].sentences[i].text for i in st.support])
            for stmts in condensed.statements for st in stmts if st.generated]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--models", nargs="+", default=MODELS)
    ap.add_argument("--clusters", nargs="*", default=CLUSTERS)
    ap.add_argument("--words", type=int, default=1000)
    ap.add_argument("--brief", default=str(Path(sys.executable).with_name("brief")))
    ap.add_argument("--reuse", action="store_true", help="keep briefings OUTDIR already has")
    ap.add_argument("--labels", help="JSONL of read labels: tally them for this run's generated claims")
    ap.add_argument("--events", nargs="*", default=[], help="Giveme5W1H event ids (g5w-event-N) to run too")
    ap.add_argument("--held-out-events", type=int, default=0, metavar="N",
                    help="also the first N Giveme5W1H events of 3+ articles that the support check was not tuned on")
    ap.add_argument("--skip-held-out", type=int, default=0, metavar="K",
                    help="--held-out-events N takes the N after the first K (those read in an earlier session)")
    ap.add_argument("--rewrite", choices=("articles", "claims"), default="articles",
                    help="brief make --rewrite: the model rewrites each article (default) or only the chosen claims")
    ap.add_argument("--no-seeds", action="store_true")
    ap.add_argument("--kept", action="store_true",
                    help="also every sentence grounding kept (not only those the briefing chose), checked by brief verify")
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    todo = inputs(out, a.clusters, list(dict.fromkeys(a.events + held_out_events(a.held_out_events, skip=a.skip_held_out))))
    if a.no_seeds:
        todo = todo[1:]
    labels: dict[tuple[str, str], dict] = {}
    if a.labels:
        for line in open(a.labels, encoding="utf-8"):
            if line.strip():
                x = json.loads(line)
                labels[(x["model"], one_line(x["claim"]) if "claim" in x else x["claim_sha256"])] = x
    totals: dict[str, Counter] = {}
    tally: dict = defaultdict(Counter)  # model -> labels of claims; (model, "kept") -> of the kept pool
    unlabelled: list[tuple[str, str]] = []
    for model in a.models:
        mdir = out / Path(model).name
        mdir.mkdir(exist_ok=True)
        t = totals[model] = Counter()
        lines = [f"# Claims {model} wrote\n"]
        kept_lines = [f"# Every sentence of {model} that grounding kept\n"]
        for name, folder in todo:
            path = mdir / f"{name}.json"
            if not (a.reuse and path.exists()):
                start = time.perf_counter()
                r = subprocess.run([a.brief, "make", str(folder), "--model", model, "-f", "json", "-o", str(path),
                                    "--words", str(a.words), "--rewrite", a.rewrite, "-q"],
                                   capture_output=True, text=True)
                seconds = time.perf_counter() - start
                if r.returncode not in (0, 3):
                    raise SystemExit(f"brief make {name} --model {model} exited {r.returncode}: {r.stderr.strip()}")
                (mdir / f"{name}.seconds").write_text(f"{seconds:.1f}\n")
                print(f"{model} {name}: brief make {seconds:.0f} s", file=sys.stderr, flush=True)
            seconds_file = mdir / f"{name}.seconds"
            t["seconds"] += float(seconds_file.read_text()) if seconds_file.exists() else 0.0
            b = json.loads(path.read_text(encoding="utf-8"))
            claims = [c for s in b["stories"] for c in s["claims"]]
            g = b.get("stats", {}).get("generation", {})
            t["briefings"] += 1
            t["claims"] += len(claims)
            t["sentences_written"] += g.get("generated", 0)
            t["sentences_kept"] += g.get("kept", 0)
            t["fused_kept"] += g.get("fused", {}).get("kept", 0)
            t["rewrite_claims"] += g.get("rewritten", {}).get("claims", 0)
            t["rewrite_kept"] += g.get("rewritten", {}).get("kept", 0)
            t["rewrite_not_asked"] += g.get("rewritten", {}).get("not_asked", 0)
            t["rewrite_unchanged"] += g.get("rewritten", {}).get("unchanged", 0)
            t["rewrite_projected"] += g.get("rewritten", {}).get("projected", 0)
            t["fuse_claims"] += g.get("fused", {}).get("claims", 0)
            results = verify(a.brief, claims, folder, mdir / name) if claims else []
            paths = {x["id"]: x.get("path") for x in b.get("sources", [])}  # a briefing's source number -> its file
            lines.append(f"\n## {name} ({len(claims)} claims)\n")
            for c, v in zip(claims, results):
                if not c.get("generated"):
                    continue
                t["generated"] += 1
                t["generated_pass"] += v["verdict"] == "supported"
                by_source = {k["source"]: k for k in v["checks"]}  # by file (verify)
                cited = sorted({paths.get(x["source"], x["source"]) for x in c["citations"]})
                t["citations"] += len(cited)
                t["citations_pass"] += sum(by_source.get(s, {}).get("verdict") == "supports" for s in cited)
                lab = labels.get((model, claim_key(name, c["text"])))
                if lab:
                    tally[model][lab["label"]] += 1
                elif a.labels:
                    unlabelled.append((model, name, c["text"]))
                lines.append(f"\n- **{one_line(c['text'])}**  \n  brief verify: {v['verdict']}"
                             + (f"; read: {lab['label']} ({lab.get('why', '')})" if lab else "") + "\n")
                for x in c["citations"]:
                    k = by_source.get(paths.get(x["source"], x["source"]), {})
                    lines.append(f"  - [{x['source']}] {one_line(x['evidence'])}  \n"
                                 f"    (verify: {k.get('verdict')}{'; ' + k['reason'] if k.get('reason') else ''})\n")
            if a.kept:
                pool = kept_sentences(model, folder)
                t["kept_pool"] += len(pool)
                checked = verify(a.brief, [{"text": x} for x, _ in pool], folder, mdir / f"{name}.kept") if pool else []
                t["kept_pool_pass"] += sum(v["verdict"] == "supported" for v in checked)
                kept_lines.append(f"\n## {name} ({len(pool)} kept)\n")
                for (text, evidence), v in zip(pool, checked):
                    lab = labels.get((model, claim_key(name, text)))
                    if lab:
                        tally[model, "kept"][lab["label"]] += 1
                    elif a.labels:
                        unlabelled.append((model, name, text))
                    lines_ev = "".join(f"  - {one_line(e)}\n" for e in evidence)
                    kept_lines.append(f"\n- **{one_line(text)}**  \n  brief verify: {v['verdict']}"
                                      + (f"; read: {lab['label']} ({lab.get('why', '')})" if lab else "") + "\n"
                                      + lines_ev)
        (mdir / "claims.md").write_text("".join(lines), encoding="utf-8")
        if a.kept:
            (mdir / "kept.md").write_text("".join(kept_lines), encoding="utf-8")
    print(f"inputs: {', '.join(n for n, _ in todo)}; --words {a.words}")
    print("model | briefings | claims | generated claims | pass brief verify | cited sources that support "
          "| sentences written | kept by grounding | fused kept | brief make seconds")
    for model, t in totals.items():
        print(f"{model} | {t['briefings']} | {t['claims']} | {t['generated']} | {t['generated_pass']}/{t['generated']}"
              f" | {t['citations_pass']}/{t['citations']} | {t['sentences_written']} | {t['sentences_kept']}"
              f" | {t['fused_kept']} | {t['seconds']:.0f}")
    if a.rewrite == "claims":
        print("model | one-source claims | not asked (nothing to leave out) | asked | copied unchanged | kept "
              "| of them projected | claims of several sources fused: asked / kept")
        for model, t in totals.items():
            asked = t['rewrite_claims'] - t['rewrite_not_asked']
            print(f"{model} | {t['rewrite_claims']} | {t['rewrite_not_asked']} | {asked} | {t['rewrite_unchanged']}"
                  f" | {t['rewrite_kept']} | {t['rewrite_projected']} | {t['fuse_claims']} / {t['fused_kept']}")
    if a.kept:
        print("model | sentences grounding kept (the pool claims are chosen from) | pass brief verify")
        for model, t in totals.items():
            print(f"{model} | {t['kept_pool']} | {t['kept_pool_pass']}/{t['kept_pool']}")
    if a.labels:
        for key, c in tally.items():
            n = sum(c.values())
            what = f"{key[0]} (kept pool)" if isinstance(key, tuple) else f"{key} (briefing claims)"
            print(f"read {what}: {n} labelled: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items()))
                  + (f"; unfaithful share {c['unfaithful'] / n:.3f}" if n else ""))
        for model, name, text in dict.fromkeys(unlabelled):
            print(f"not labelled ({model}, {name}, {claim_key(name, text)}): "
                  + ("(Giveme5W1H: read it in kept.md)" if is_private(name) else one_line(text)))
    print(f"claims to read: {', '.join(str(out / Path(m).name / 'claims.md') for m in a.models)}")


if __name__ == "__main__":
    os.environ.setdefault("BRIEF_HOME", str(Path.home() / ".brief"))
    main()
