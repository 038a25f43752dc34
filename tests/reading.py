"""How the tests read what a section shows, written once."""

from __future__ import annotations

import html
import re


def text(block) -> str:
    """The visible sentences of an HTML block (charts and tags removed)."""
    body = re.sub(r"<svg.*?</svg>", "", block.data, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))
