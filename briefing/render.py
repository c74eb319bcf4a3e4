"""Briefing -> Markdown, JSON (and, through further templates, HTML and email) with Jinja.

Templates live in the top-level templates/ folder, copied into the wheel as briefing/templates;
`--templates DIR` puts a user's folder first. A template that uses a missing variable fails.
"""
from __future__ import annotations

from pathlib import Path

from briefing import tuning
from briefing.errors import BriefError, UnknownName
from briefing.types import Briefing

FORMATS = {"md": "briefing.md.j2", "json": "briefing.json.j2", "html": "briefing.html.j2",
           "email": "email.html.j2"}  # email: the HTML part; briefing.deliver.email_message builds the whole message
EXTENSIONS = {".md": "md", ".markdown": "md", ".json": "json", ".html": "html", ".htm": "html", ".eml": "email"}


def resource_dir(name: str) -> Path:
    """templates/ or prompts/: inside the installed package, else beside it in a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise BriefError(f"the {name}/ folder is missing from the installation ({here})")


def environment(kind: str, extra_dir: str | Path | None = None):
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    dirs = [str(extra_dir)] if extra_dir else []
    dirs.append(str(resource_dir("templates")))
    # Sandboxed: a user's --templates folder may come from anywhere; it must not reach Python's internals
    # (and through them the environment, files, the SMTP password).
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(dirs),
        undefined=jinja2.StrictUndefined,
        autoescape=(kind in ("html", "email")),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(kind),
    )
    env.filters["md"] = markdown_escape
    env.filters.update(human_range=human_range, highlight=highlight, same_text=same_text, file_name=file_name)
    from briefing import safe_text

    safe_text.add_filters(env)
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False, "indent": 2}
    return env


def _bytecode_cache(kind: str):
    """Jinja's own cache of compiled templates, in the user folder: compiling the templates was about a tenth of a
    cold `brief make` (bench/benchmark.py --parts cold). One folder a kind, because autoescaping is compiled into a
    template's code; Jinja keys each entry by the template's path and checks its source, so an edited or a user's
    template is compiled afresh. A folder that cannot be made or written means no cache, never an error."""
    import jinja2

    from briefing.config import home

    class Quiet(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except Exception:  # a file cut short or damaged (a full disk, another tool): compile afresh
                bucket.reset()

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    from briefing import __version__

    # Jinja checks a template's source, not the options it was compiled with, nor its own version or ours: those
    # name the folder, so an upgrade never runs code compiled by another.
    folder = home() / "cache" / "templates" / f"{kind}-{jinja2.__version__}-{__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return Quiet(str(folder))


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def markdown_escape(text) -> str:
    """Article text is untrusted: in Markdown it must not become a link, markup or raw HTML."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def highlight(text, value, mark: str = "html"):
    """The side's text (clipped) with its differing words marked: <mark> in HTML, **bold** in Markdown."""
    import re

    from markupsafe import Markup, escape

    from briefing.safe_text import clip

    text = clip(text)
    match = re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text, re.I) if value else None
    if mark == "md":
        if not match:
            return markdown_escape(text)
        return (text[:match.start()].translate(_MD_SPECIAL) + "**" + match.group(0).translate(_MD_SPECIAL) + "**"
                + text[match.end():].translate(_MD_SPECIAL))
    if not match:
        return escape(text)
    return Markup("{}<mark>{}</mark>{}").format(text[:match.start()], match.group(0), text[match.end():])


def _norm(text) -> str:
    from briefing.safe_text import oneline

    return oneline(text).lower().translate(str.maketrans("’‘“”", "''\"\"")).rstrip(".")


def same_text(a, b) -> bool:
    """A quote that is the claim word for word: shown once, not twice."""
    return _norm(a) == _norm(b)


def file_name(source: dict) -> str:
    """A local file's name (never its folder): what a recipient of an email can make sense of."""
    from briefing.safe_text import clip

    path = source.get("path")
    return clip(Path(path).name, "publisher") if path else ""


def to_contract(b: Briefing) -> dict:
    """The JSON contract of the README. Later work may add fields, never remove or rename them."""
    return add_reader_facts({
        "title": b.title,
        "generated_at": b.generated_at,
        "model": b.model,
        "sources": [
            {"id": a.id, "title": a.title, "publisher": a.publisher, "published": a.published,
             "path": a.path, "url": a.url, "duplicate_of": a.duplicate_of,
             **({"note": a.note} if a.note else {})}
            for a in b.articles
        ],
        "stories": [
            {"headline": s.headline,
             "sources": s.articles,
             **({"follow_up": s.follow_up} if s.follow_up is not None else {}),
             "claims": [{"text": c.text, "key": c.key, **({"new": c.new} if c.new is not None else {}),
                         "generated": c.generated,
                         "citations": [{"source": x.source, "evidence": x.evidence} for x in c.citations]}
                        for c in s.claims],
             "conflicts": [{"about": k.about, "kind": k.kind, "slot": k.slot,
                            "sides": [{"text": side.text,
                                       "citations": [{"source": x.source, "evidence": x.evidence}
                                                     for x in side.citations]} for side in k.sides]}
                           for k in s.conflicts]}
            for s in b.stories
        ],
        "skipped": [{"input": s.input, "reason": s.reason} for s in b.skipped],
        "stats": {**b.stats, "words_limit": b.words},
    })


def format_for(fmt: str | None, output: str | None) -> str:
    """The format by name, else by the output's extension, else Markdown."""
    if fmt:
        key = fmt.lower().lstrip(".")
        key = {"markdown": "md"}.get(key, key)
        if key not in FORMATS:
            raise UnknownName("format", fmt, sorted(FORMATS))
        return key
    if output and output != "-":
        return EXTENSIONS.get(Path(output).suffix.lower(), "md")
    return "md"


def render(b: Briefing, fmt: str, templates_dir: str | Path | None = None) -> str:
    if fmt == "email":
        raise BriefError("an email is a whole message: build it with briefing.deliver.email_message.build_message")
    return render_template(b, FORMATS[fmt], fmt, templates_dir)


def claims_per_source(data: dict) -> dict[int, int]:
    """How many claims (conflict sides included) cite each source, for the sources list."""
    counts = {s["id"]: 0 for s in data["sources"]}
    for story in data["stories"]:
        items = story["claims"] + [side for k in story["conflicts"] for side in k["sides"]]
        for item in items:
            for source in {c["source"] for c in item["citations"]}:
                counts[source] = counts.get(source, 0) + 1
    return counts


def render_template(b: Briefing, name: str, kind: str, templates_dir: str | Path | None = None) -> str:
    """One template over the briefing's contract; kind "html"/"email" turns autoescaping on."""
    import jinja2

    from briefing import __version__

    env = environment(kind, templates_dir)
    data = to_contract(b)
    by_id = {s["id"]: s for s in data["sources"]}
    try:
        template = env.get_template(name)
        return template.render(briefing=data, sources=by_id, date=b.generated_at[:10],
                               claims_per_source=claims_per_source(data), version=__version__)
    except jinja2.UndefinedError as e:
        raise BriefError(f"template {name}: {e.message}") from None
    except jinja2.TemplateError as e:
        raise BriefError(f"template {name}: {e}") from None


# ---- What a reader sees beside a claim: publishers' names, news dates, tallies -------------------------

# What they do, what they were tuned on and the bench that shows them: tuning.py.
SHORT_WORDS, SHORT_MAX_WORDS = tuning.RENDER_SHORT_WORDS, tuning.RENDER_SHORT_MAX_WORDS
NAME_CHARS = tuning.RENDER_NAME_CHARS


def _host(url) -> str:
    from urllib.parse import urlsplit

    from briefing.safe_text import safe_href

    href = safe_href(url)
    if not href or not href.lower().startswith(("http:", "https:")):
        return ""
    return (urlsplit(href).hostname or "").removeprefix("www.")


def _short_title(words: list[str], n: int) -> str:
    text = " ".join(words[:n])
    return text + ("…" if len(words) > n else "")


def source_names(sources: list[dict]) -> dict[int, str]:
    """Each source's short name: its publisher, else its web site's host, else a short form of its title.

    Never a file path: a local file without a publisher is known by the first words of its title, as many
    as make it differ from the other sources' titles."""
    from briefing.safe_text import clip, oneline

    names: dict[int, str] = {}
    titled: dict[int, list[str]] = {}
    for s in sources:
        publisher = oneline(s.get("publisher"))
        if publisher:
            names[s["id"]] = clip(publisher, NAME_CHARS)
        elif _host(s.get("url")):
            names[s["id"]] = clip(_host(s.get("url")), NAME_CHARS)
        else:
            words = oneline(s.get("title")).split()
            if words:
                titled[s["id"]] = words
            else:
                names[s["id"]] = f"source {s['id']}"
    for sid, words in titled.items():
        n = SHORT_WORDS
        while n < min(len(words), SHORT_MAX_WORDS) and any(
                other != sid and [w.lower() for w in o[:n]] == [w.lower() for w in words[:n]]
                for other, o in titled.items()):
            n += 1
        names[sid] = clip(_short_title(words, n), NAME_CHARS)
    return names


def news_date(value) -> str | None:
    """An article's date as YYYY-MM-DD, from whatever form its page or feed gave; None when unreadable."""
    import datetime as dt

    from briefing.safe_text import oneline

    text = oneline(value)[:60]
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    from dateutil import parser

    try:
        return parser.parse(text, fuzzy=False, default=dt.datetime(1, 1, 1)).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None


def date_range(days) -> dict | None:
    days = sorted(d for d in days if d and not d.startswith("0001"))
    return {"first": days[0], "last": days[-1]} if days else None


def human_range(span: dict | None) -> str:
    """{"first": "2024-06-18", "last": "2024-06-19"} -> '18–19 June 2024'."""
    import datetime as dt

    if not span:
        return ""
    a, b = dt.date.fromisoformat(span["first"]), dt.date.fromisoformat(span["last"])
    if a == b:
        return f"{a.day} {a:%B %Y}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%B %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%B} – {b.day} {b:%B %Y}"
    return f"{a.day} {a:%B %Y} – {b.day} {b:%B %Y}"


def _conflict_values(conflict: dict) -> list[str]:
    """The differing words of each side, from the conflict's label ("the day: Tuesday or Wednesday")."""
    about = conflict.get("about") or ""
    if ": " not in about:
        return []
    return [v.strip() for v in about.rsplit(": ", 1)[1].split(" or ") if v.strip()]


def _find(text: str, value: str) -> bool:
    import re

    return bool(value) and re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", text, re.I) is not None


PLACE_OVERLAP = tuning.RENDER_PLACE_OVERLAP  # where a disagreement is shown: see tuning.py


def place_conflict(conflict: dict, claims: list[dict]) -> int | None:
    from briefing.facts import content_words

    quotes = {c["evidence"] for side in conflict["sides"] for c in side["citations"]}
    for i, claim in enumerate(claims):
        if quotes & {c["evidence"] for c in claim["citations"]}:
            return i
    best, best_share = None, 0.0
    for side in conflict["sides"]:
        words = content_words(side["text"])
        for i, claim in enumerate(claims):
            cw = content_words(claim["text"])
            if not words or not cw:
                continue
            share = len(words & cw) / min(len(words), len(cw))
            if share > best_share:
                best, best_share = i, share
    return best if best_share >= PLACE_OVERLAP else None


def add_reader_facts(data: dict) -> dict:
    """The contract's reader-facing additions: names, news dates, outlets, lede, tallies (in place)."""
    names = source_names(data["sources"])
    by_id = {s["id"]: s for s in data["sources"]}
    for s in data["sources"]:
        s["name"] = names[s["id"]]
        s["date"] = news_date(s.get("published"))
    cited = set()
    for story in data["stories"]:
        ids = [i for i in story["sources"] if i in by_id]
        story["outlets"] = list(dict.fromkeys(names[i] for i in ids))
        story["named_outlets"] = all(by_id[i].get("publisher") or _host(by_id[i].get("url")) for i in ids)
        story["dates"] = date_range(by_id[i]["date"] for i in ids)
        claims = story["claims"]
        lede = next((c for c in claims if c.get("key")), claims[0] if claims else None)
        story["lede"] = lede["text"] if lede else None
        for item in claims + [side for k in story["conflicts"] for side in k["sides"]]:
            item["citations"].sort(key=lambda c: c["source"])  # in the sources list's order
            cited.update(c["source"] for c in item["citations"])
        for k in story["conflicts"]:
            values = _conflict_values(k)
            for n, side in enumerate(k["sides"]):
                side["outlets"] = list(dict.fromkeys(names[c["source"]] for c in side["citations"]))
                mine = [v for v in values if _find(side["text"], v)]
                preferred = values[n] if n < len(values) and values[n] in mine else (mine[0] if mine else None)
                side["value"] = preferred
            k["claim"] = place_conflict(k, claims)
    data["news_dates"] = date_range(by_id[i]["date"] for i in cited or by_id)
    data["outlets"] = list(dict.fromkeys(names[i] for i in sorted(cited or by_id)))
    return data
