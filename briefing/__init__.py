"""brief: many news articles in, one short cited briefing out, all on this machine."""

__version__ = "0.1.0"
