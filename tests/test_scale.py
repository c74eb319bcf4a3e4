"""The daily job on Ray: the same digest as the local engine, a dead worker retried, clean errors.

One local Ray (2 CPUs, no dashboard) for the whole module; the embedder is the fast HashEmbedder, shipped
to the workers by value.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from briefing import cli, config as configlib, daily, merge, models, scale, sentences
from briefing.errors import BriefError
from briefing.store import Store
from conftest import SEEDS, HashEmbedder
from loopback import Item, Route, Server, page_html, rss, seed_articles
from test_abstractive import ScriptedGenerator

ray = pytest.importorskip("ray")

DAY = dt.datetime(2024, 6, 19, 7, 0, tzinfo=dt.timezone.utc)
SITES = ["North Wire", "East Daily", "South Post", "West Herald", "Central Times"]


class DiesOnce(HashEmbedder):
    """Kills its worker process in the middle of the first article call (a marker file says it happened)."""

    def __init__(self, marker: str):
        self.marker = marker

    def embed(self, texts):
        if texts != ["ready"] and not os.path.exists(self.marker):  # not the warm-up: a call with articles
            open(self.marker, "w").close()
            os._exit(1)
        return super().embed(texts)


@pytest.fixture(scope="module")
def local_ray():
    ray.cloudpickle.register_pickle_by_value(sys.modules[HashEmbedder.__module__])
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.cloudpickle.register_pickle_by_value(sys.modules[ScriptedGenerator.__module__])
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def site():
    with Server() as s:
        items = []
        for i, (title, paras) in enumerate(seed_articles(SEEDS)):
            s.routes[f"/visit/{i}.html"] = Route(page_html(title, paras, SITES[i % len(SITES)]))
            items.append(Item(title, s.url(f"/visit/{i}.html"), paras[0], DAY.timestamp() - 600 * i))
        # Pages that fail on the worker that fetches them: a 404 with no summary (skipped, with the reason the local
        # engine gives) and one with a summary (the summary stands in).
        items.append(Item("Gone", s.url("/visit/gone.html"), "", DAY.timestamp() - 7000))
        items.append(Item("Moved", s.url("/visit/moved.html"), "The delegation left Pyongyang on Thursday morning.",
                          DAY.timestamp() - 7200))
        s.routes["/world.xml"] = Route(rss("World Desk", items), content_type="application/rss+xml")
        s.routes["/empty.html"] = Route(b"<html><body><nav>Home | About</nav></body></html>")
        yield s


def config_for(tmp_path, s: Server, name: str, **over) -> configlib.Config:
    values = dict(feeds=(s.url("/world.xml"),), urls=(s.url("/empty.html"),), since_hours=96.0, words=400,
                  dir=str(tmp_path / name / "out"), formats=("json",), state=str(tmp_path / name / "state.sqlite"))
    values.update(over)
    return configlib.load(None, env={}, **values)


def digest(out: daily.Outcome) -> dict:
    data = json.loads(out.written[0].read_text(encoding="utf-8"))
    return {k: data[k] for k in ("stories", "sources", "skipped")}


@pytest.fixture(scope="module")
def local_state(tmp_path_factory, site):
    """The local engine's run: its exit code and digest, and the rows of its state's vector cache."""
    tmp = tmp_path_factory.mktemp("local")
    cfg = config_for(tmp, site, "local")
    out = daily.run(cfg, embedder=HashEmbedder(), now=DAY)
    assert out.briefing.stats["engine"]["name"] == "local"
    return out.exit_code, digest(out), vectors(cfg.state_path)


@pytest.fixture(scope="module")
def local_digest(local_state):
    return local_state[:2]


def vectors(path) -> list[tuple]:
    store = Store(path)
    try:
        return store.db.execute("SELECT key, vec, used FROM vectors ORDER BY key").fetchall()
    finally:
        store.close()


def test_ray_gives_the_local_digest(tmp_path, site, local_ray, local_state):
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder())
    frozen = gc.get_freeze_count()  # 0, unless something this process imported froze objects of its own
    cfg = config_for(tmp_path, site, "ray")
    out = daily.run(cfg, now=DAY, engine=engine)
    code, expected, cached = local_state
    assert (out.exit_code, digest(out)) == (code, expected)
    # The vector cache, written while the workers worked (RayEngine.behind), holds the local run's rows.
    assert vectors(cfg.state_path) == cached and cached
    assert expected["stories"] and any(c["citations"] for s in expected["stories"] for c in s["claims"])
    # the page that 404s is skipped on the worker with the reason the local engine gives; the page with no article too
    assert sorted(s["input"] for s in expected["skipped"]) == [site.url("/empty.html"), site.url("/visit/gone.html")]
    assert any("404" in s["reason"] for s in expected["skipped"])
    assert out.briefing.stats["engine"]["name"] == "ray" and out.briefing.stats["engine"]["workers"] == 2
    # The feed and the page named in `urls` were read, the feed's pages fetched and extracted, on the workers,
    # and each story was briefed there, one call a story.
    assert {"sources", "fetch", "prepare", "stories"} <= set(out.briefing.stats["engine"]["seconds"])
    assert len(engine.tasks) >= len(expected["stories"])
    assert engine._actors == [] and ray.is_initialized()  # the workers stop with the run; a Ray it did not start stays
    assert gc.get_freeze_count() == frozen and engine._blas is None  # the driver's collector, BLAS threads as they were


def test_a_worker_killed_mid_run_is_retried_and_nothing_is_lost(tmp_path, site, local_ray, local_digest):
    marker = tmp_path / "died"
    engine = scale.RayEngine(workers=2, embedder=DiesOnce(str(marker)))
    cfg = config_for(tmp_path, site, "ray")
    out = daily.run(cfg, now=DAY, engine=engine)
    assert marker.exists()  # a worker did die
    code, expected = local_digest
    assert (out.exit_code, digest(out)) == (code, expected)
    store = Store(cfg.state_path)
    try:
        published = store.published_before("2024-06-20")
    finally:
        store.close()
    assert len(published) == len(expected["stories"])  # each story recorded once


def test_pages_come_back_with_their_site_lines_keyed_on_the_worker(tmp_path, site, local_ray):
    from briefing import extract

    engine = scale.RayEngine(workers=1, embedder=HashEmbedder())
    engine.start()
    store = Store(tmp_path / "s.sqlite")
    try:
        docs, _ = daily.fetch(config_for(tmp_path, site, "x"), store, DAY, engine=engine)
        pages = [d.text for d in docs if d.url and "/visit/" in d.url and d.note is None]
        assert len(pages) == len(seed_articles(SEEDS)) and all(t in engine._site_keys for t in pages)  # made there
        other = "A text no worker extracted.\n\nIts second line."
        # those the workers made, and one made on a worker now: the digests this process makes of the same texts
        assert engine.site_keys(pages + [other]) == [extract.site_keys(t) for t in pages + [other]]
    finally:
        store.close()
        engine.stop()


class DiesInAStory(merge.DefaultSupport):
    """The support check, killing its worker in the middle of the first story's work (once: a marker file)."""

    def __init__(self, marker: str):
        self.marker = marker

    def check(self, claim, evidence, cosine=None):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return super().check(claim, evidence, cosine)


def test_a_worker_killed_in_a_story_is_retried_and_the_digest_is_the_same(tmp_path, site, local_ray, local_digest,
                                                                          monkeypatch):
    marker = tmp_path / "died"
    monkeypatch.setitem(models.support_checks.factories, "default", lambda: DiesInAStory(str(marker)))
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder())
    out = daily.run(config_for(tmp_path, site, "ray"), now=DAY, engine=engine)
    assert marker.exists()  # a worker did die, inside a story's work
    assert (out.exit_code, digest(out)) == local_digest


def slow_square(x):
    import time

    time.sleep(0.1)
    return x * x


def test_work_behind_runs_while_the_worker_works_and_results_come_in_order(local_ray):
    engine = scale.RayEngine(workers=1, embedder=HashEmbedder())
    engine.start()
    try:
        steps = []

        def step() -> bool:  # three steps of work, then none left
            if len(steps) == 3:
                return False
            steps.append(1)
            return True

        engine.behind(step)
        assert engine.map(slow_square, [3, 1, 2]) == [9, 1, 4]
        assert len(steps) == 3 and engine.beside["stories"] > 0
        got = engine.imap(slow_square, [5, 4])
        assert next(got) == 25 and list(got) == [16]  # each as it comes, in order
        assert len(engine.tasks) == 5
    finally:
        engine.stop()
    assert engine._behind == []  # forgotten with the engine


def test_without_ray_installed_the_daily_job_is_a_one_line_error(tmp_path, site, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now fails as if the extra were missing
    hits = len(site.hits)
    with pytest.raises(BriefError, match="needs Ray, which is not installed") as e:
        daily.run(config_for(tmp_path, site, "x", engine="ray"), embedder=HashEmbedder(), now=DAY)
    assert e.value.hint == "pip install 'brief[ray]'" and e.value.exit_code == 2
    assert len(site.hits) == hits  # nothing fetched
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[sources]\nfeeds = ["{site.url("/world.xml")}"]\n[scale]\nengine = "ray"\n', encoding="utf-8")
    r = CliRunner().invoke(cli.app, ["make", "--config", str(cfg), "-q"])
    assert r.exit_code == 2 and "needs Ray, which is not installed" in r.output
    assert len(site.hits) == hits


def test_an_unreachable_cluster_is_an_error_before_anything_is_fetched(tmp_path, site):
    # In a fresh process: this one may already hold the module's local Ray.
    cfg = tmp_path / "b.toml"
    cfg.write_text(f'[sources]\nfeeds = ["{site.url("/world.xml")}"]\n[output]\ndir = "out"\n'
                   f'[state]\npath = "s.sqlite"\n[scale]\nengine = "ray"\naddress = "ray://127.0.0.1:9"\n',
                   encoding="utf-8")
    hits = len(site.hits)
    # Ray's client tries 3 times, 5 s then more each; 1 s each keeps the test short.
    env = {**os.environ, "RAY_CLIENT_INITIAL_CONNECTION_TIMEOUT_S": "1", "RAY_CLIENT_MAX_CONNECTION_TIMEOUT_S": "1"}
    r = subprocess.run([sys.executable, "-m", "briefing", "make", "--config", str(cfg), "-q"],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 2, r.stderr
    assert "the Ray cluster at ray://127.0.0.1:9 could not be reached" in r.stderr
    assert len(site.hits) == hits and not (tmp_path / "out").exists()


def test_both_engines_are_in_the_registry_and_take_the_scale_settings(tmp_path):
    assert {"local", "ray"} <= set(models.engines.names())
    engine = scale.get("ray", "auto", 3, num_gpus=0.5)
    assert isinstance(engine, scale.RayEngine) and (engine.address, engine.workers, engine.num_gpus) == ("auto", 3, 0.5)
    assert isinstance(scale.get("local", "auto", 3), scale.LocalEngine)
    assert scale.LocalEngine().map(len, ["ab", "c"]) == [2, 1]
    from briefing.errors import UnknownName

    with pytest.raises(UnknownName, match="valid engines: local, ray"):
        scale.get("spark")
    path = tmp_path / "b.toml"
    path.write_text('[scale]\nnum_gpus = 0.25\n', encoding="utf-8")
    assert configlib.load(path, env={}).num_gpus == 0.25
    path.write_text('[scale]\nnum_gpus = -1\n', encoding="utf-8")
    with pytest.raises(BriefError, match=r"\[scale\] num_gpus must not be negative"):
        configlib.load(path, env={})


def test_engine_settings_are_checked(tmp_path):
    assert configlib.load(None, env={}).engine == "local"
    with pytest.raises(BriefError, match="unknown engine 'spark'; valid engines: local, ray"):
        configlib.load(None, env={}, engine="spark")
    path = tmp_path / "b.toml"
    path.write_text('[scale]\nengine = "ray"\naddress = "auto"\nworkers = 4\n', encoding="utf-8")
    cfg = configlib.load(path, env={})
    assert (cfg.engine, cfg.address, cfg.workers) == ("ray", "auto", 4)
    path.write_text('[scale]\nworkers = 0\n', encoding="utf-8")
    with pytest.raises(BriefError, match=r"\[scale\] workers must be at least 1"):
        configlib.load(path, env={})


# -- a generative model on the workers ----------------------------------------------------------------

def echo(prompt: str) -> str:
    """The first two sentences of the article text in a condense prompt (grounding keeps them)."""
    text = prompt.split("Title: ", 1)[-1].split("\n\n", 1)[-1].removesuffix("</user>")
    return " ".join(sentences.split(text)[:2])


class EchoModel(ScriptedGenerator):
    """A stand-in generative model that echoes (test_abstractive's scripted model), two prompts a batch. Its
    `device` is the process it runs in, so a test can tell where it wrote."""

    name = "echo"

    def __init__(self):
        super().__init__(echo)
        self.batch_size = 2

    @property
    def device(self):
        return f"pid-{os.getpid()}"


def test_a_generative_model_writes_on_the_workers_and_the_digest_is_the_local_one(tmp_path, site, local_ray,
                                                                                  monkeypatch):
    from briefing.abstractive import AbstractiveBackend

    monkeypatch.setitem(models.condensers.factories, "echo", lambda **kw: AbstractiveBackend(EchoModel()))
    runs = {}
    for name, engine in (("local", None), ("ray", scale.RayEngine(workers=2, embedder=HashEmbedder()))):
        monkeypatch.setenv("BRIEF_HOME", str(tmp_path / name / "home"))  # each its own generation cache
        out = daily.run(config_for(tmp_path, site, name, model="echo"), embedder=HashEmbedder(), now=DAY,
                        engine=engine)
        runs[name] = out
    local, remote = runs["local"], runs["ray"]
    assert (remote.exit_code, digest(remote)) == (local.exit_code, digest(local))
    written = [c for s in digest(local)["stories"] for c in s["claims"] if c.get("generated")]
    assert written  # the model's sentences made it into the digest
    gen_local, gen_remote = local.briefing.stats["generation"], remote.briefing.stats["generation"]
    assert gen_remote == gen_local and gen_local["model_calls"] > 0 and gen_local["generated"] > 0
    # Every prompt was answered on a worker, none here; both workers wrote.
    where = remote.briefing.stats["engine"]["generation"]["prompts"]
    assert f"pid-{os.getpid()}" not in where and len(where) == 2
    assert sum(where.values()) == sum(a["pieces"] for a in gen_local["articles"])
    assert "generation" not in local.briefing.stats["engine"]


def test_generated_text_is_cached_by_the_settings_the_workers_run_with(tmp_path, local_ray):
    """The cache key takes the model's settings from a worker (a GPU worker writes in bfloat16, not this
    machine's float32), and the batches a worker runs are the local model's own."""

    class OnAnotherDevice(EchoModel):
        def settings(self):
            return {"max_new_tokens": self.max_new_tokens, "dtype": "here" if os.getpid() == driver else "there"}

    driver = os.getpid()
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder())
    engine.start()
    try:
        local = OnAnotherDevice()
        remote = scale.RemoteGenerator(local, engine)
        assert local.settings()["dtype"] == "here" and remote.settings()["dtype"] == "there"
        # ... and so the condenser's cache key: what the workers wrote is never read back as this machine's
        from briefing.abstractive import AbstractiveBackend
        from briefing.types import Article

        article = Article(id=1, title="A title", text="A text.", sentences=[])
        assert AbstractiveBackend(remote).key(article) != AbstractiveBackend(local).key(article)
        prompts = [f"Title: t{i}\n\nSentence {i} one. Sentence {i} two. Sentence {i} three." for i in range(7)]
        assert remote.generate(prompts) == EchoModel().generate(prompts)
        assert remote.calls == 4 and local.calls == 0  # 7 prompts in batches of 2, each a call on a worker
        assert remote.parallel == 4 and remote.name == "echo" and remote.count_tokens(["a b"]) == [2]
    finally:
        engine.stop()


def test_a_model_error_on_a_worker_is_the_same_one_line_error(tmp_path, local_ray):
    from briefing.errors import ModelError

    class DoesNotFit(EchoModel):
        def generate(self, prompts):
            raise ModelError("model echo needs about 9.0 GiB on cuda, but only 1.0 GiB is free")

    engine = scale.RayEngine(workers=1, embedder=HashEmbedder())
    engine.start()
    try:
        with pytest.raises(ModelError, match="needs about 9.0 GiB on cuda"):
            scale.RemoteGenerator(DoesNotFit(), engine).generate(["Title: x\n\nA b."])
    finally:
        engine.stop()


def test_workers_asking_for_more_gpus_than_a_local_ray_has_is_a_one_line_error(local_ray):
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder(), num_gpus=1)
    have = ray.cluster_resources().get("GPU", 0)
    if have >= 2:
        pytest.skip("this machine has two GPUs")
    # The module's Ray is running: this engine did not start it, and checks it all the same.
    with pytest.raises(BriefError, match=rf"2 workers with num_gpus = 1 need 2 GPUs; this machine has {have:g}"):
        engine.start()
    assert engine._actors == [] and ray.is_initialized()
    # A share of a GPU is never split over two GPUs: 3 workers of 0.4 fit on 2 GPUs (two a GPU), not on 1.2.
    shares = scale.RayEngine(workers=3, embedder=HashEmbedder(), num_gpus=0.4)
    with pytest.raises(BriefError, match=rf"3 workers with num_gpus = 0.4 need 2 GPUs; this machine has {have:g}"):
        shares.start()


class ByWorker(EchoModel):
    """Runs as differently as the worker it is on (a cluster of a bfloat16 GPU and a float16 one, say)."""

    def settings(self):
        return {"max_new_tokens": self.max_new_tokens, "dtype": f"pid-{os.getpid()}"}


def test_workers_that_would_run_a_model_differently_are_a_one_line_error(local_ray):
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder())
    engine.start()
    try:
        with pytest.raises(BriefError, match="the Ray workers would run echo differently"):
            scale.RemoteGenerator(ByWorker(), engine).settings()
    finally:
        engine.stop()


@pytest.mark.slow
def test_a_transformers_model_on_a_worker_writes_what_it_writes_here(tmp_path, local_ray):
    """A real (tiny, random) transformers model crosses to the worker without its loaded weights or tokenizer,
    loads there once, and writes, batch by batch, exactly what it writes in this process."""
    import tiny_models
    from briefing.models import generate, locate

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.iterdir())]
    spec = locate.resolve(str(tiny_models.llama(tmp_path / "llama", texts)))
    here = generate.HFGenerator(spec, device="cpu", max_new_tokens=8)
    prompts = [here.wrap(f"Summarize: {t[:300]}") for t in texts]  # wrap() loads the tokenizer here
    engine = scale.RayEngine(workers=2, embedder=HashEmbedder())
    engine.start()
    try:
        sent = generate.HFGenerator(spec, device="cpu", max_new_tokens=8)
        sent.wrap("x")  # its tokenizer loaded on the driver: what crosses must leave it (and any model) behind
        remote = scale.RemoteGenerator(sent, engine)
        assert remote.settings() == here.settings()
        out = remote.generate(prompts)
        assert out == here.generate(prompts) and any(out)
        assert sent._model is None and remote.calls == 2  # 5 prompts in the model's batches of 4: two calls
        assert set(engine.generation) == {"cpu"}
        # generate()'s own options (`--rewrite claims`: a cap, the first line) cross to the workers too
        short = remote.generate(prompts, max_new_tokens=2, first_line=True)
        assert short == here.generate(prompts, max_new_tokens=2, first_line=True) and remote.calls == 4
    finally:
        engine.stop()


def _visible_gpus(_item):
    return os.environ.get("CUDA_VISIBLE_DEVICES")


def test_a_worker_given_no_gpu_sees_none(local_ray):
    """A worker of num_gpus = 0 hides the machine's GPUs from torch (Ray 2.60 left them visible, and a generative
    model's "auto" device took one: seen on a GPU machine, bench/ray_generate.py)."""
    engine = scale.RayEngine(workers=1, embedder=HashEmbedder())
    engine.start()
    try:
        assert engine.map(_visible_gpus, [0, 1]) == ["", ""]
    finally:
        engine.stop()


def _threads(_item):
    from briefing.models import minilm

    return os.environ.get("BRIEF_THREADS"), minilm.shared()._threads


def test_a_worker_embeds_on_the_cpus_ray_gave_it(local_ray):
    """Each worker (num_cpus = 1) runs its embedding model on one thread, not one per core of the machine."""
    engine = scale.RayEngine(workers=1, embedder=HashEmbedder())
    engine.start()
    try:
        assert engine.map(_threads, [0]) == [("1", 1)]
    finally:
        engine.stop()
