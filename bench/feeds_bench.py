"""The daily job against a loopback server: 200 articles from 10 feeds, then re-runs that find nothing new.

    .venv/bin/python bench/feeds_bench.py ../shared/eval/giveme5w1h_events.jsonl [--articles 200 --feeds 10]
                                          [--also torch,static] [--stages onnx,static]

The articles come from the data file at run time and are served from memory on 127.0.0.1 (RSS, Atom
and RDF feeds in turn, each entry a full HTML page). Timed, each as a user runs it (`python -m briefing
make --config ...` in a fresh process, model load included):
  1. the first run: fetch 10 feeds and 200 pages, extract, embed, cluster, brief, write md and json;
  2. a re-run the same day: nothing changed, so the same digest is written again;
  3. a run the next day, the feeds unchanged (in this process, its clock moved by a day): nothing new, nothing
     written, exit 2, and no model loaded;
  4. the first run again from an empty state with each embedder --also names, in this run: by default torch:own,
     the path of before (torch reads the sentences and, in the first pass, every article's lead);
  5. with --stages, the first run again from an empty state in this process, with each embedder named: CPU seconds
     by stage and the merging stage by part.
The default run's first pass reads the leads with the static table ([briefing] lead_embedder = "auto").
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from loopback import Item, Route, Server, atom, page_html, rdf, rss  # noqa: E402


def load_pool(data: str, n: int) -> list[dict]:
    """The first `n` articles with text of a JSONL data file (one cluster a line)."""
    pool = []
    for line in Path(data).read_text(encoding="utf-8").splitlines():
        for a in json.loads(line)["articles"]:
            if a.get("text", "").strip():
                pool.append(a)
    return pool[:n]


def serve(s: Server, pool: list[dict], n_feeds: int, now: float) -> list[str]:
    """Each article as a full HTML page on the loopback server, spread over `n_feeds` RSS/Atom/RDF feeds; their URLs."""
    per_feed = [[] for _ in range(n_feeds)]
    for i, a in enumerate(pool):
        path = f"/a/{i}.html"
        paras = [p for p in a["text"].split("\n\n") if p.strip()]
        s.routes[path] = Route(page_html(a["title"], paras, a.get("source") or f"Outlet {i % 37}"))
        per_feed[i % n_feeds].append(Item(a["title"], s.url(path), paras[0][:300], now - 60 * i))
    feeds = []
    for k, items in enumerate(per_feed):
        make, ctype = [(rss, "application/rss+xml"), (atom, "application/atom+xml"),
                       (rdf, "application/rdf+xml")][k % 3]
        s.routes[f"/feed/{k}"] = Route(make(f"Feed {k}", items), content_type=ctype)
        feeds.append(s.url(f"/feed/{k}"))
    return feeds


def same_digest(a: Path, b: Path) -> str:
    """Whether two digests (JSON) say the same: stories, claims, citations, disagreements and sources, times aside."""
    def said(path):
        data = json.loads(path.read_text(encoding="utf-8"))
        stories = [{k: v for k, v in st.items() if k not in ("seconds", "elapsed")} for st in data["stories"]]
        return stories, [{k: v for k, v in src.items() if k not in ("path",)} for src in data["sources"]]

    (sa, ra), (sb, rb) = said(a), said(b)
    if (sa, ra) == (sb, rb):
        return "the same stories, claims, citations and sources"
    claims_a = {c["text"] for st in sa for c in st["claims"]}
    claims_b = {c["text"] for st in sb for c in st["claims"]}
    return (f"differs: {len(claims_a & claims_b)} of {len(claims_a)} claims the same, {len(sb)} stories against "
            f"{len(sa)}, {len(rb)} sources against {len(ra)}")


def stages_in_process(cfg: Path, folder: Path, embedder: str, env: dict) -> None:
    """The first run again from an empty state, in this process (model loaded first, not timed): CPU seconds by
    stage (the pipeline's progress stages; 'merging' runs to the end: select, render, store) and merging by part
    (bench/benchmark.py's MERGING_PARTS). The fetch threads' CPU counts in 'fetching', and so does the loopback
    server's (it serves the pages from this process)."""
    import resource

    import benchmark
    from briefing import config as configlib, daily
    from briefing.models import minilm

    folder.mkdir()
    text = cfg.read_text(encoding="utf-8").replace('dir = "out"', f'dir = "{folder / "out"}"').replace(
        'path = "state.sqlite"', f'path = "{folder / "state.sqlite"}"')
    (folder / "briefing.toml").write_text(text, encoding="utf-8")
    os.environ.update(BRIEF_HOME=env["BRIEF_HOME"], BRIEF_EMBEDDER=embedder)
    minilm.shared(embedder).embed(["x"])
    minilm.shared("static").embed(["x"])
    marks = []

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    class Stages:
        def stage(self, label, total):
            marks.append((label, cpu()))

        def advance(self, n):
            pass

    benchmark.forget_readings()  # the stages' readings of an earlier run in this process are not this run's
    parts: dict[str, float] = {}
    restore = benchmark.merging_parts(parts)
    marks.append(("start", cpu()))
    try:
        out = daily.run(configlib.load(folder / "briefing.toml"), progress=Stages())
    finally:
        marks.append(("end", cpu()))
        restore()
        os.environ.pop("BRIEF_EMBEDDER")
    print(f"5. the first run in this process, {embedder} embedder (exit {out.exit_code}), CPU s by stage: "
          + ", ".join(f"{label} {t1 - t0:.2f}" for (label, t0), (_, t1) in zip(marks, marks[1:]))
          + f"; in all {marks[-1][1] - marks[0][1]:.2f}")
    print("   merging by part (CPU s): " + ", ".join(f"{label} {parts.get(label, 0.0):.2f}"
                                                     for _, _, label in benchmark.MERGING_PARTS), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--feeds", type=int, default=10)
    ap.add_argument("--stages", default="", help="embedders whose first run is also made in this process, its CPU "
                                                   "seconds printed by stage and merging by part (comma-separated "
                                                   "BRIEF_EMBEDDER names; '' for none)")
    ap.add_argument("--also", default="torch:own", help="embedders whose first run is timed too (comma-separated, "
                                                         "BRIEF_EMBEDDER names: torch, onnx, int8, static; with "
                                                         "':own' that embedder reads the first pass's leads too, "
                                                         "as before the static table did; '' for none)")
    args = ap.parse_args()

    pool = load_pool(args.data, args.articles)
    work = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    now = time.time()
    with Server() as s:
        feeds = serve(s, pool, args.feeds, now)
        cfg = work / "briefing.toml"
        cfg.write_text(f"""[sources]\nfeeds = {json.dumps(feeds)}\nsince_hours = 72\n
[briefing]\nwords = 600\nmax_stories = 10\n[output]\ndir = "out"\nformats = ["md", "json"]\n
[state]\npath = "state.sqlite"\n[fetch]\nper_host = 8\nparallel = 8\n""", encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT), "BRIEF_HOME": str(work / "home")}

        # First use builds the ONNX graph of the embedded model and the static table of the first pass (once a
        # machine); timed apart from the runs.
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from briefing.models import minilm; minilm.shared().embed(['x']); "
                        "minilm.shared('static').embed(['x'])"], env=env, check=True, capture_output=True)
        print(f"0. first use on this machine: the ONNX graph and the static table built (or found) in "
              f"{time.perf_counter() - t:.1f} s")

        def cli(label: str, config: Path = cfg, extra_env: dict | None = None) -> tuple[float, float]:
            # CPU seconds beside wall seconds: the machine is shared, and the wall time swings with others' load
            import resource

            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            load = os.getloadavg()[0]
            t = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "briefing", "make", "--config", str(config), "--profile"],
                               env={**env, **(extra_env or {})},
                               capture_output=True, text=True)
            secs = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            print(f"{label}: {secs:.1f} s wall, {cpu:.1f} s CPU (load average before: {load:.1f}), "
                  f"exit {r.returncode}: {r.stderr.strip().splitlines()[-1:]}")
            for line in r.stderr.splitlines():  # the wall seconds of each stage (brief make --profile)
                if line.startswith("brief: profile:"):
                    print("   stages (wall):" + line.removeprefix("brief: profile:"))
            return secs, cpu

        hits0 = len(s.hits)
        first, first_cpu = cli(f"1. first run, {len(pool)} articles from {args.feeds} feeds")
        pages = sum(h.startswith("/a/") for h in s.hits[hits0:])
        data = json.loads(next((work / "out").glob("*.json")).read_text(encoding="utf-8"))
        print(f"   fetched {pages} pages; digest: {len(data['stories'])} stories, {data['stats']['claims']} claims, "
              f"{len(data['sources'])} sources, {len(data['skipped'])} skipped")
        hits1 = len(s.hits)
        second, _ = cli("2. re-run the same day (nothing changed)")
        print(f"   requests in the re-run: {len(s.hits) - hits1} (feeds only; pages come from the state)")

        from briefing import config as configlib, daily

        os.environ["BRIEF_HOME"] = str(work / "home")
        t = time.perf_counter()
        out = daily.run(configlib.load(cfg), now=dt.datetime.now().astimezone() + dt.timedelta(days=1))
        third = time.perf_counter() - t
        print(f"3. the next day, nothing new: {third:.1f} s, exit {out.exit_code}: {out.message}")

        # The first run again, from an empty state, with each other embedder named (--also; torch by default: the
        # encoder of before), in this run, so they can be compared with the default's.
        others = {}
        for label in [e.strip() for e in args.also.split(",") if e.strip()]:
            emb, own = label.removesuffix(":own"), label.endswith(":own")
            (work / label.replace(":", "-")).mkdir()
            cfg_other = work / label.replace(":", "-") / "briefing.toml"
            text = cfg.read_text(encoding="utf-8")
            if own:  # the first pass reads the leads with this embedder too (lead_embedder = ""), as before
                text = text.replace("[briefing]\n", '[briefing]\nlead_embedder = ""\n', 1)
            cfg_other.write_text(text, encoding="utf-8")
            if emb != "torch":  # its first use builds its model (the torch path has none to build): not timed
                subprocess.run([sys.executable, "-c", "from briefing.models import minilm; "
                                f"minilm.shared({emb!r}).embed(['x'])"], env=env, check=True, capture_output=True)
            others[label] = cli(f"4. the first run again, empty state, {emb} embedder, the leads read by "
                                + (f"{emb} too" if own else "the static table"), cfg_other, {"BRIEF_EMBEDDER": emb})
            theirs = same_digest(next((work / "out").glob("*.json")),
                                 next((cfg_other.parent / "out").glob("*.json")))
            print(f"   its digest against the first run's: {theirs}")
        for emb in [e.strip() for e in args.stages.split(",") if e.strip()]:
            stages_in_process(cfg, work / f"stages-{emb}", emb, env)
    print(f"\nsummary: first {first:.1f} s, {first_cpu:.1f} s CPU (target < 120), same-day re-run {second:.1f} s, "
          f"next-day nothing new {third:.1f} s (target < 10); "
          + "".join(f"first run with the {emb} embedder {secs:.1f} s, {cpu:.1f} s CPU ({secs / first:.2f}x the "
                    f"default's wall, {cpu / first_cpu:.2f}x its CPU); " for emb, (secs, cpu) in others.items())
          + f"work folder {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
