"""The model prompts: Jinja templates in the top-level prompts/ folder (briefing/prompts in a wheel).

`--prompts DIR` puts a user's folder first, so a file there replaces the built-in one of the same
name. A template that uses a variable it is not given fails, with the template's name.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from briefing.errors import BriefError

CONDENSE = "condense.j2"
FUSE = "fuse.j2"
REWRITE = "rewrite.j2"


class PromptError(BriefError):
    """A prompt template that is missing, malformed or uses a variable it is not given."""


class Prompts:
    def __init__(self, override: str | Path | None = None):
        import jinja2

        from briefing.render import resource_dir

        dirs = []
        if override is not None:
            if not Path(override).is_dir():
                raise PromptError(f"--prompts {override}: not a folder")
            dirs.append(str(override))
        dirs.append(str(resource_dir("prompts")))
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(dirs), undefined=jinja2.StrictUndefined,
                                      autoescape=False, keep_trailing_newline=False)

    def source(self, name: str) -> str:
        """The template's text, as found: part of the output cache's key."""
        import jinja2

        try:
            return self.env.loader.get_source(self.env, name)[0]
        except jinja2.TemplateNotFound:
            raise PromptError(f"prompt template {name} not found") from None

    def digest(self, *names: str) -> str:
        return hashlib.sha256("\0".join(self.source(n) for n in names).encode()).hexdigest()[:16]

    def render(self, name: str, **variables) -> str:
        import jinja2

        try:
            return self.env.get_template(name).render(**variables).strip()
        except jinja2.UndefinedError as e:
            raise PromptError(f"prompt template {name}: {e.message}") from None
        except jinja2.TemplateError as e:
            raise PromptError(f"prompt template {name}: {e}") from None
