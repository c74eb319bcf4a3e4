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
from briefing.errors import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, BriefError

EXIT_CODES_HELP = f"""Exit codes: {EXIT_OK} a briefing was made from every input; {EXIT_PARTIAL} a briefing was made but
some inputs were skipped (each named on stderr and in the output); {EXIT_USAGE} nothing usable (with
--config: also nothing new since the last digest, or another run holds the state) or a wrong flag, name
or value (a one-line error on stderr); {EXIT_ERROR} an unexpected failure (a bug)."""

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
                                      help="md or json. Default: from the output's extension, else md."),
    words: Optional[int] = typer.Option(None, "-w", "--words", metavar="N",
                                        help="Most words in the briefing's claims (20 to 5000). Default: 250."),
    title: Optional[str] = typer.Option(None, "-t", "--title", help="The briefing's title. Default: from the articles."),
    model: Optional[str] = typer.Option(None, "-m", "--model", help="The condensing model. Default: the embedded "
                                                             "all-MiniLM-L6-v2 (extractive, no download)."),
    templates: Optional[Path] = typer.Option(None, "--templates", metavar="DIR",
                                             help="A folder whose templates replace the built-in ones of the same name."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar."),
    config_file: Optional[Path] = typer.Option(None, "-c", "--config", metavar="FILE",
                                               help="Run the daily job a config file describes (see brief init): "
                                                    "its sources, state and output folder. -o then names the "
                                                    "output folder; -w, -t, -m, -f override the file."),
):
    """Make one briefing from articles: claims with citations, conflicts, sources."""
    from briefing import models, render
    from briefing.deliver import write_atomic

    if config_file is not None:
        _daily(config_file, inputs or [], output, fmt, words, title, model, quiet, templates)
        return
    if not inputs:
        fail("give INPUT... (files, folders, -, URLs) or --config FILE")
    words = 250 if words is None else words
    model = model or "minilm"
    try:
        if not 20 <= words <= 5000:
            raise BriefError(f"--words must be between 20 and 5000, not {words}")
        if title is not None and not title.strip():
            raise BriefError("--title must not be empty")
        if templates is not None and not templates.is_dir():
            raise BriefError(f"--templates {templates}: not a folder")
        kind = render.format_for(fmt, output)
        model_name = models.canonical(model)
        from briefing import pipeline

        settings = pipeline.Settings(inputs=tuple(inputs), words=words, title=title.strip() if title else None,
                                     model=model_name)
        with _Bar(quiet) as bar:
            result = pipeline.run(settings, stdin=sys.stdin.buffer if "-" in inputs else None,
                                  progress=pipeline.Progress(stage=bar.stage, advance=bar.advance))
        for s in result.skipped:
            typer.echo(f"brief: skipped {s.input}: {s.reason}", err=True)
        text = render.render(result, kind, templates)
        if output and output != "-":
            write_atomic(output, text)
            if not quiet:
                typer.echo(f"brief: wrote {output} ({result.stats['claims']} claims from "
                           f"{result.stats['articles']} articles)", err=True)
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    if result.skipped:
        raise typer.Exit(EXIT_PARTIAL)


def _daily(config_file, inputs, output, fmt, words, title, model, quiet, templates=None):
    """`brief make --config FILE`: the daily job."""
    from briefing import config as configlib
    from briefing import daily
    from briefing.ingest.web import is_url

    try:
        extra = {}
        if inputs:
            cfg0 = configlib.load(config_file)
            extra = {"urls": cfg0.urls + tuple(i for i in inputs if is_url(i)),
                     "paths": cfg0.paths + tuple(i for i in inputs if not is_url(i))}
        if templates is not None and not templates.is_dir():
            raise BriefError(f"--templates {templates}: not a folder")
        cfg = configlib.load(config_file, words=words, title=title.strip() if title else title, model=model,
                             dir=output, formats=(fmt,) if fmt else None,
                             templates=str(templates) if templates else None, **extra)
        with _Bar(quiet) as bar:
            from briefing import pipeline

            outcome = daily.run(cfg, progress=pipeline.Progress(stage=bar.stage, advance=bar.advance))
    except BriefError as e:
        fail(e.message, e.hint, e.exit_code)
    for s in outcome.skipped:
        typer.echo(f"brief: skipped {s.input}: {s.reason}", err=True)
    if outcome.exit_code == EXIT_USAGE:
        typer.echo(f"brief: nothing written: {outcome.message}", err=True)
    elif not quiet:
        typer.echo(f"brief: {outcome.message}", err=True)
    raise typer.Exit(outcome.exit_code)


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


def run():  # console-script entry point
    app()


if __name__ == "__main__":
    run()
