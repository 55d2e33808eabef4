"""Render docs/review.svg: `sftlint review` on the bundled sample data, one finding highlighted.

    python docs/screenshot.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from sftlint.config import load_settings
from sftlint.review.app import ReviewApp

ROOT = Path(__file__).resolve().parents[1]


async def main() -> None:
    data = ROOT / "sample_data" / "bike_shop.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        app = ReviewApp(data, load_settings(data, None, {}), journal=Path(tmp) / "journal", reviewer="docs")
        async with app.run_test(size=(120, 32)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("x", "a", "tab")
            await pilot.pause()
            app.save_screenshot(filename="review.svg", path=str(ROOT / "docs"))


if __name__ == "__main__":
    asyncio.run(main())
