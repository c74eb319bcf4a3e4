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
some inputs were skipped (each named on stderr and in the output); {EXIT_USAGE} nothing usable or a
wrong flag, name or value (a one-line error on stderr); {EXIT_ERROR} an unexpected failure (a bug)."""

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
    inputs: List[str] = typer.Argument(..., metavar="INPUT...",
                                       help="Article files (.txt .md .html .json .jsonl), folders (read recursively, "
                                            "hidden files skipped), or - for stdin."),
    output: Optional[str] = typer.Option(None, "-o", "--output", metavar="PATH",
                                         help="Write here (atomically) instead of stdout."),
    fmt: Optional[str] = typer.Option(None, "-f", "--format", metavar="FORMAT",
                                      help="md or json. Default: from the output's extension, else md."),
    words: int = typer.Option(250, "-w", "--words", metavar="N",
                              help="Most words in the briefing's claims (20 to 5000)."),
    title: Optional[str] = typer.Option(None, "-t", "--title", help="The briefing's title. Default: from the articles."),
    model: str = typer.Option("minilm", "-m", "--model", help="The condensing model. Default: the embedded "
                                                             "all-MiniLM-L6-v2 (extractive, no download). Or a "
                                                             "Hugging Face id from the local cache, a model folder, "
                                                             "or a .gguf file: it rewrites each article, and only "
                                                             "sentences its sources support are kept."),
    device: str = typer.Option("auto", "--device", metavar="DEVICE",
                               help="Where a generative model runs: auto, cpu, cuda or mps."),
    prompts: Optional[Path] = typer.Option(None, "--prompts", metavar="DIR",
                                           help="A folder whose prompt templates (condense.j2, fuse.j2) replace "
                                                "the built-in ones."),
    templates: Optional[Path] = typer.Option(None, "--templates", metavar="DIR",
                                             help="A folder whose templates replace the built-in ones of the same name."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="No progress bar."),
):
    """Make one briefing from articles: claims with citations, conflicts, sources."""
    from briefing import models, render
    from briefing.deliver import write_atomic

    try:
        if not 20 <= words <= 5000:
            raise BriefError(f"--words must be between 20 and 5000, not {words}")
        if title is not None and not title.strip():
            raise BriefError("--title must not be empty")
        if templates is not None and not templates.is_dir():
            raise BriefError(f"--templates {templates}: not a folder")
        kind = render.format_for(fmt, output)
        if device.lower() not in ("auto", "cpu", "cuda", "mps"):
            raise BriefError(f"unknown device {device!r}; valid devices: auto, cpu, cuda, mps")
        if prompts is not None and not prompts.is_dir():
            raise BriefError(f"--prompts {prompts}: not a folder")
        model_name = models.canonical(model)
        from briefing import pipeline

        settings = pipeline.Settings(inputs=tuple(inputs), words=words, title=title.strip() if title else None,
                                     model=model_name, device=device.lower(),
                                     prompts=str(prompts) if prompts else None)
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


def run():  # console-script entry point
    app()


if __name__ == "__main__":
    run()
