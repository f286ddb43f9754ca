"""Where two lines of Chinese text meet, a rule shared by the YAML reader and the Markdown converter.

A browser shows a line break inside a paragraph as a space, and YAML folds a line break inside a
value into one; between Chinese characters, or next to Chinese punctuation, that space is a
mistake, so such lines join without it.  Lines of other text keep their space.
"""
from __future__ import annotations

import re

CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u32ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
CJK_PUNCT = "\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
JOINS = re.compile(rf"[{CJK}{CJK_PUNCT}]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # Chinese characters themselves, no punctuation


def joins_tight(last: str, first: str) -> bool:
    """True when a line ending in the character last meets one starting with first without a space."""
    return bool(JOINS.match(last) or JOINS.match(first))
