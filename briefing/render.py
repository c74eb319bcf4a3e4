"""Briefing -> Markdown, JSON (and, through further templates, HTML and email) with Jinja.

Templates live in the top-level templates/ folder, copied into the wheel as briefing/templates;
`--templates DIR` puts a user's folder first. A template that uses a missing variable fails.
"""
from __future__ import annotations

from pathlib import Path

from briefing.errors import BriefError, UnknownName
from briefing.types import Briefing

FORMATS = {"md": "briefing.md.j2", "json": "briefing.json.j2", "html": "briefing.html.j2",
           "email": "email.html.j2"}  # email: the HTML part; briefing.email_message builds the whole message
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
    )
    env.filters["md"] = markdown_escape
    from briefing import safe_text

    safe_text.add_filters(env)
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False, "indent": 2}
    return env


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def markdown_escape(text) -> str:
    """Article text is untrusted: in Markdown it must not become a link, markup or raw HTML."""
    return " ".join(str(text).split()).translate(_MD_SPECIAL)


def to_contract(b: Briefing) -> dict:
    """The JSON contract of the README. Later work may add fields, never remove or rename them."""
    return {
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
                         "citations": [{"source": x.source, "evidence": x.evidence} for x in c.citations]}
                        for c in s.claims],
             "conflicts": [{"about": k.about,
                            "sides": [{"text": side.text,
                                       "citations": [{"source": x.source, "evidence": x.evidence}
                                                     for x in side.citations]} for side in k.sides]}
                           for k in s.conflicts]}
            for s in b.stories
        ],
        "skipped": [{"input": s.input, "reason": s.reason} for s in b.skipped],
        "stats": {**b.stats, "words_limit": b.words},
    }


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
        raise BriefError("an email is a whole message: build it with briefing.email_message.build_message")
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
