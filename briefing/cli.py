"""The `brief` command: parse, build settings, call the pipeline, map errors to exit codes.

Only this module prints or exits. Heavy modules (torch, the model) load inside commands, so
`brief --help` stays fast.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from briefing import __version__
from briefing.errors import EXIT_ERROR, EXIT_NOT_SENT, EXIT_OK, EXIT_PARTIAL, EXIT_REJECTED, EXIT_USAGE, BriefError

EXIT_CODES_HELP = f"""Exit codes: {EXIT_OK} a briefing was made from every input; {EXIT_PARTIAL} a briefing was made but
some inputs were skipped (each named on stderr and in the output); {EXIT_USAGE} nothing usable (with
--config: also nothing new since the last digest, or another run holds the state) or a wrong flag, name
or value (a one-line error on stderr); {EXIT_ERROR} an unexpected failure (a bug);
{EXIT_NOT_SENT} the digest was made but not yet delivered to every recipient: it waits in the outbox
(`brief outbox`); {EXIT_REJECTED} the mail server refused a recipient for good (its words on stderr)."""

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    help="brief: turn many news articles into one short briefing you can trust. Every claim cites "
         "the articles that say it, with their words; where sources disagree, both sides are shown. "
         "Runs on this machine with an embedded model.\n\n" + EXIT_CODES_HELP,
)


def _version(value: bool):
    if value:
        typer.echo(f"brief {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    pass


def fail(message: str, hint: str | None = None, code: int = EXIT_USAGE):
    typer.echo(f"brief: error: {message}" + (f" ({hint})" if hint else ""), err=True)
    raise typer.Exit(code)


class _Bar:
    """A rich progress bar on stderr, shown only to a person at a terminal."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.progress = None
        self.task = None
        self.marks: list[tuple[str, float]] = []  # each stage's name and start, for --profile

    def profile(self, last: str) -> str:
        """Seconds each stage took, the last one running until now."""
        import time

        marks = self.marks + [(last, time.perf_counter()), ("", time.perf_counter())]
        return ", ".join(f"{name} {t1 - t0:.2f} s" for (name, t0), (_, t1) in zip(marks, marks[1:]))

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        if self.progress:
            self.progress.__exit__(*exc)

    def stage(self, name: str, total: int):
        import time

        self.marks.append((name, time.perf_counter()))
        if self.progress:
            if self.task is not None:
                self.progress.update(self.task, completed=self.progress.tasks[0].total)
                self.progress.remove_task(self.task)
            self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int):
        if self.progress and self.task is not None:
            self.progress.advance(self.task, n)


@app.command(epilog=EXIT_CODES_HELP)
def make(
    inputs: Optional[List[str]] = typer.Argument(None, metavar="INPUT...",
                                                 help="Article files (.txt .md .html .json .jsonl), folders (read "
                                                      "recursively, hidden files skipped), - for stdin, or http(s) "
                                                      "URLs of pages or RSS/Atom/RDF feeds."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="PATH",
                                         help="Write here (atomically) instead of stdout."),
    fmt: Optional[str] = typer.Option(None, "-f", "--format", metavar="FORMAT",
                                      help="md, json, html or email. Default: from the output's extension "
                                           "(.md .json .html .htm .eml), else md."),
    words: Optional[int] = typer.Option(None, "-w", "--words", metavar="N",
                                        help="Most words in the briefing's claims (20 to 5000). Default: 250."),
    title: Optional[str] = typer.Option(None, "-t", "--title", help="The briefing's title. Default: from the articles."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help="The condensing model. Default: the embedded "
                                                             "all-MiniLM-L6-v2 (extractive, no download). Or a "
                                                             "Hugging Face id from the local cache, a model folder, "
                                                             "or a .gguf file: it shortens the claims the briefing "
                                                             "chose (see --rewrite), and only sentences its "
                                                             "sources support are kept."),
    embedder: Optional[str] = typer.Option(None, "--embedder", metavar="NAME",
                                           help="The sentence embedder, by name. Default: minilm (the embedded "
                                                "all-MiniLM-L6-v2). Also minilm-int8, minilm-torch, minilm-static, "
                                                "and minilm-hybrid: the static table reads every sentence, MiniLM "
                                                "only those that compete for claims or could disagree (less "
                                                "CPU, a few claims differ: models.md); minilm-hybrid-int8 the "
                                                "same with int8 weights."),
    device: Optional[str] = typer.Option(None, "--device", metavar="DEVICE",
                                         help="Where a generative model runs: auto, cpu, cuda or mps. Default: auto."),
    prompts: Optional[Path] = typer.Option(None, "--prompts", metavar="DIR",
                                           help="A folder whose prompt templates (condense.j2, fuse.j2) replace "
                                                "the built-in ones."),
    rewrite: Optional[str] = typer.Option(None, "--rewrite", metavar="WHAT",
                                          help="What a generative --model rewrites: claims (auto, the default, is claims: only "
                                               "the claims the briefing chose, each kept only as its own "
                                               "sentence less whole parts; read fresh, models.md) or "
                                               "articles (each article, then grounded: paraphrases kept; its "
                                               "faithfulness not read fresh)."),
    templates: Optional[Path] = typer.Option(None, "--templates", metavar="DIR",
                                             help="A folder whose templates replace the built-in ones of the same name."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar."),
    profile: bool = typer.Option(False, "--profile", help="Print the seconds each stage took, on stderr."),
    config_file: Optional[Path] = typer.Option(None, "-c", "--config", metavar="FILE",
                                               help="Run the daily job a config file describes (see brief init): "
                                                    "its sources, state and output folder. -o then names the "
                                                    "output folder; -w, -t, -m, -f override the file."),
    send: bool = typer.Option(False, "--send", help="Email the digest through the SMTP server of the config's "
                                                    "[email] section (or BRIEF_SMTP_HOST...). If it cannot be "
                                                    "delivered it waits in the outbox, and the exit code is 4."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Build the email but do not send it: write it to -o "
                                                          "(.eml), else hold it in the outbox."),
    to: Optional[List[str]] = typer.Option(None, "--to", metavar="ADDRESS",
                                           help="A recipient (repeat it, or separate addresses by commas); with "
                                                "--send it replaces the config's."),
    sender: Optional[str] = typer.Option(None, "--from", metavar="ADDRESS",
                                         help="The sender, e.g. 'Brief <brief@example.org>'."),
    engine: Optional[str] = typer.Option(None, "--engine", metavar="ENGINE",
                                         help="With --config: where the per-article work runs, local or ray "
                                              "(pip install 'brief[ray]'; [scale] address names the cluster)."),
):
    """Make one briefing from articles: claims with citations, conflicts, sources."""
    from briefing import config as configlib
    from briefing import deliver, render

    if config_file is None:
        if engine is not None:
            fail("--engine applies to the daily job: brief make --config FILE --engine ray")
        if not inputs:
            fail("give INPUT... (files, folders, -, URLs) or --config FILE")
    try:
        # The one place settings are built and checked. The environment variables are the daily job's (README:
        # "The daily job"); with --config, -o names the output folder and -f the one format.
        settings = configlib.load(
            config_file, env=None if config_file is not None else {}, inputs=tuple(inputs or ()), words=words,
            title=title, model=model, embedder=embedder, device=device, prompts=str(prompts) if prompts else None,
            rewrite=rewrite, templates=str(templates) if templates else None, engine=engine,
            **({"dir": output, "formats": (fmt,) if fmt else None} if config_file is not None else {}))
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    if config_file is not None:
        _daily(settings, config_file, quiet, send=send, dry_run=dry_run, to=to, sender=sender, profile=profile)
        return
    try:
        emailing = send or dry_run
        if emailing:
            if fmt and fmt.lower().lstrip(".") not in ("email", "eml"):
                raise BriefError(f"--send and --dry-run make an email; --format {fmt} cannot be sent")
            mail_settings = deliver.email_settings(None, to, sender, need_server=not dry_run)
        kind = "email" if emailing else render.format_for(fmt, output)
        if kind == "email" and not emailing:
            if not sender or not to:
                raise BriefError("--format email needs --from and --to",
                                 hint="e.g. --from brief@example.org --to me@example.org")
            deliver.check_addresses(sender, to)  # a bad address fails before the slow work
        if kind != "email" and (sender or to):
            raise BriefError("--from and --to apply only to --format email, --send or --dry-run")
        from briefing import pipeline

        settings = pipeline.named(settings)  # a wrong model or embedder name fails before any input is read
        templates_dir = settings.templates or None
        with _Bar(quiet) as bar:
            result = pipeline.run(settings, stdin=sys.stdin.buffer if "-" in settings.inputs else None,
                                  progress=pipeline.Progress(stage=bar.stage, advance=bar.advance))
        for s in result.skipped:
            typer.echo(f"brief: skipped {s.input}: {s.reason}", err=True)
        if emailing:
            sent = _say(deliver.email_digest(result, mail_settings, output, dry_run, templates_dir, quiet))
        else:
            if kind == "email":
                text = deliver.email_text(result, sender, to, templates_dir)
            else:
                text = render.render(result, kind, templates_dir)
            if output and output != "-":
                deliver.write_atomic(output, text)
                if not quiet:
                    typer.echo(f"brief: wrote {output} ({result.stats['claims']} claims from "
                               f"{result.stats['articles']} articles)", err=True)
            else:
                sys.stdout.write(text)
                sys.stdout.flush()
        if profile:
            typer.echo(f"brief: profile: {bar.profile('writing')}", err=True)
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    if emailing and sent != EXIT_OK:
        raise typer.Exit(sent)
    if result.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _daily(cfg, config_file, quiet, send=False, dry_run=False, to=None, sender=None, profile=False):
    """`brief make --config FILE`: the daily job; with --send, the digest is emailed as well as written."""
    from briefing import daily, deliver

    mail_settings = None
    try:
        # A config with an [email] section is a digest to mail: the daily job sends it without --send.
        send = send or (bool(cfg.sections.get("email")) and not dry_run)
        if send or dry_run:  # the mail settings are checked before the slow work
            mail_settings = deliver.email_settings(cfg.sections.get("email"), to, sender, need_server=not dry_run,
                                                   base_dir=Path(config_file).expanduser().resolve().parent)
        elif to or sender:
            raise BriefError("--from and --to apply only to --send or --dry-run")
        held = []

        def queue(briefing):  # the digest joins the outbox before the day is recorded (one unit of work)
            held.append(deliver.queue_digest(briefing, mail_settings, dry_run, cfg.templates or None))

        with _Bar(quiet) as bar:
            from briefing import pipeline

            outcome = daily.run(cfg, progress=pipeline.Progress(stage=bar.stage, advance=bar.advance),
                                queue=queue if mail_settings is not None else None)
        if profile:
            typer.echo(f"brief: profile: {bar.profile('selecting and writing')}", err=True)
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    for s in outcome.skipped:
        typer.echo(f"brief: skipped {s.input}: {s.reason}", err=True)
    if outcome.exit_code == EXIT_USAGE:
        typer.echo(f"brief: nothing written: {outcome.message}", err=True)
    elif not quiet:
        typer.echo(f"brief: {outcome.message}", err=True)
    code = outcome.exit_code
    if mail_settings is not None:
        try:
            if dry_run:
                for entry in held:
                    typer.echo(f"brief: {deliver.held_line(entry)}", err=True)
                sent = EXIT_OK
            else:
                # Today's digest (queued by the run) and anything older still waiting; the next run retries.
                sent = _say(deliver.flush_outbox(mail_settings, quiet))
        except BriefError as e:
            fail(e.message, e.hint, e.exit_code)
        if sent != EXIT_OK:
            code = sent
    raise typer.Exit(code)


VERIFY_EXIT_HELP = """Exit codes: 0 every statement is supported by at least one source; 6 some statement is
not (partial or unsupported); 2 bad input (an empty or binary summary, a missing or unreadable source: a
one-line error on stderr); 1 an unexpected failure (a bug)."""


@app.command(epilog=VERIFY_EXIT_HELP)
def verify(
    summary: str = typer.Argument(..., metavar="SUMMARY", help="The summary to check: Markdown or text, one "
                                                               "statement a list item or line (- for stdin)."),
    sources: List[str] = typer.Argument(..., metavar="SOURCE...", help="The source articles, as for brief make: "
                                                                      "files, folders, URLs."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="PATH", help="Write here (atomically) "
                                                                                     "instead of stdout."),
    fmt: Optional[str] = typer.Option(None, "-f", "--format", metavar="FORMAT",
                                      help="md or json. Default: from the output's extension, else md."),
):
    """Check every statement of a summary against the sources: supports, partial (and what is missing) or none."""
    from briefing import verify as verifylib
    from briefing.deliver import write_atomic
    from briefing.ingest import gather

    try:
        kind = (fmt or (Path(output).suffix if output and output != "-" else "") or "md").lower().lstrip(".")
        kind = {"markdown": "md", "txt": "md"}.get(kind, kind)
        if kind not in ("md", "json"):
            raise BriefError(f"unknown format {fmt or kind!r}; valid formats: md, json")
        if "-" in sources and summary == "-":
            raise BriefError("the summary and a source cannot both be stdin (-)")
        text = verifylib.read_summary(summary)
        docs, skipped = gather(sources, stdin=sys.stdin.buffer if "-" in sources else None)
        if skipped:
            # Checked against fewer sources than named, a verdict would mislead: nothing is checked.
            first = skipped[0]
            more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
            raise BriefError(f"source {first.input}: {first.reason}{more}")
        articles, empty = verifylib.articles_of(docs)
        if not articles:
            raise BriefError("no source article to check against")
        for name in empty:
            typer.echo(f"brief: note: {name} has no article text (only page furniture): it supports nothing",
                       err=True)
        report = verifylib.verify(verifylib.statements_of(text), articles)
        out = verifylib.to_json(report) if kind == "json" else verifylib.to_markdown(report)
        if output and output != "-":
            write_atomic(output, out)
        else:
            sys.stdout.write(out)
            sys.stdout.flush()
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    if not report.all_supported:
        raise typer.Exit(verifylib.EXIT_UNSUPPORTED)


@app.command(epilog=EXIT_CODES_HELP)
def init(
    path: Path = typer.Argument(Path("briefing.toml"), metavar="FILE", help="Where to write the example config."),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists."),
):
    """Write a commented example config for the daily job (brief make --config FILE)."""
    from briefing import config as configlib
    from briefing.deliver import write_atomic

    try:
        if path.exists() and not force:
            raise BriefError(f"{path} exists; not replacing it", hint="use --force to replace it")
        write_atomic(path, configlib.example(path.name))
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    typer.echo(f"brief: wrote {path}; edit its [sources], then run: brief make --config {path}", err=True)


@app.command("models")
def models_cmd(as_json: bool = typer.Option(False, "--json", help="Print the list as JSON.")):
    """List the models usable here: the embedded one, Hugging Face models in the local cache, and
    BRIEF_MODEL_PATHS (folders or .gguf files), with family, size and whether they fit in memory."""
    import json

    from briefing.models.locate import hf_cache_dir, listing

    rows = listing()
    if as_json:
        typer.echo(json.dumps({"cache": str(hf_cache_dir()), "models": rows}, indent=2))
        return
    typer.echo(f"{'MODEL':<44} {'FAMILY':<34} {'SIZE':>8}  FITS")
    for r in rows:
        size = f"{r['params'] / 1e6:.0f}M" if r.get("params") else (
            f"{r['bytes'] / 2**20:.0f}MiB" if r.get("bytes") else "?")
        fits = {True: "yes", False: "no", None: "?"}[r.get("fits")]
        typer.echo(f"{r['name']:<44} {r['family']:<34} {size:>8}  {fits}"
                   + (f"  ({r['problem']})" if r.get("problem") else ""))
    typer.echo(f"(Hugging Face cache: {hf_cache_dir()}; add folders or .gguf files with BRIEF_MODEL_PATHS)")


def _say(done) -> int:
    """Tell the user what a delivery did; its exit code."""
    for line, _error in done.lines:
        typer.echo(f"brief: {line}", err=True)
    if done.stdout is not None:
        sys.stdout.buffer.write(done.stdout)
        sys.stdout.flush()
    return done.code


@app.command("outbox")
def outbox_command(
    send: bool = typer.Option(False, "--send", help="Try to send everything waiting, now (held --dry-run "
                                                    "messages included)."),
    drop: Optional[List[str]] = typer.Option(None, "--drop", metavar="ID", help="Discard a waiting message."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Report only what was not sent."),
    config_file: Optional[Path] = typer.Option(None, "-c", "--config", metavar="FILE",
                                               help="Take the mail server from this config's [email] section."),
):
    """List the emails waiting to be sent, and why; --send tries them again now."""
    from briefing import deliver
    from briefing.deliver import outbox

    try:
        box = outbox.Outbox()
        for entry_id in drop or ():
            entry = box.drop(entry_id)
            typer.echo(f"brief: dropped {entry.id} \u201c{entry.subject}\u201d", err=True)
        if drop and not send:
            return
        if send:
            # The server as configured now (config, environment) wins over the one stored with each message.
            section, base = None, None
            if config_file is not None:
                from briefing import config as configlib

                section = configlib.load(config_file).sections.get("email")
                base = Path(config_file).expanduser().resolve().parent
            current = deliver.email_settings(section, None, None, need_server=None, base_dir=base)
            code = _say(deliver.flush_outbox(current if current.host else None, quiet, include_held=True))
            if code != EXIT_OK:
                raise typer.Exit(code)
            return
        entries = box.entries()
        for e in box.problems:
            typer.echo(f"brief: error: {e.message}" + (f" ({e.hint})" if e.hint else ""), err=True)
        if not entries:
            typer.echo(f"The outbox is empty ({box.folder}).")
            return
        for entry in entries:
            state = "held (--dry-run), sent by `brief outbox --send`" if entry.status == outbox.HELD else \
                f"tried {entry.tries} time{'s' if entry.tries != 1 else ''}" + \
                (f", last {entry.last_try}" if entry.last_try else "")
            who = ", ".join(entry.pending) or "(everyone has it; `brief outbox --send` clears it away)"
            typer.echo(f"{entry.id}  queued {entry.created}  \u201c{entry.subject}\u201d\n"
                       f"    to: {who}\n    {state}"
                       + (f"\n    why: {entry.reason}" if entry.reason else ""))
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)


def run():  # console-script entry point
    app()


if __name__ == "__main__":
    run()
