"""One whole worker page of the demo hall, pinned byte for byte.

If a deliberate change to a template, the CSS link or the demo content alters the page, look at
the diff, then regenerate: UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""
import difflib
import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden" / "workers-ai-ziyang.html"


def test_worker_page_matches_golden(demo_site):
    page = (demo_site / "workers" / "ai-ziyang" / "index.html").read_text(encoding="utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(page, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), page.splitlines(), "golden", "built", lineterm="", n=1))
    assert page == expected, "the worker page changed:\n" + diff[:4000]
