"""The audiences of tailored round summaries (no heavy imports: the CLI reads this)."""

from __future__ import annotations

__all__ = ["AUDIENCES", "AUDIENCE_LABELS"]

AUDIENCES = ("onderwijs", "professionals", "aanbieders", "gemeenten")
#: Who an audience summary is for (title line); ``None`` is the full summary.
AUDIENCE_LABELS = {"onderwijs": "het onderwijs", "professionals": "professionals",
                   "aanbieders": "jeugdhulpaanbieders", "gemeenten": "gemeenten"}
