"""Inputs -> raw documents. Files and folders here; the network lives in `web` (URLs and feeds)."""
from briefing.ingest.files import read_inputs

__all__ = ["read_inputs"]
