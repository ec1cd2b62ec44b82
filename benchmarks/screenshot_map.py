"""Render ``minilateral align map`` and screenshot it with headless Chromium (manual check).

Usage::

    MINILATERAL_DATA_DIR=... python benchmarks/screenshot_map.py [YEAR] [OUTDIR]

Needs the Debian package ``chromium``. Prints the PNG path and the share of non-white pixels
in the network panel (a blank page would be ~0).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np


def main() -> None:
    from minilateral.alignment.map import write_map

    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2019
    out = Path(sys.argv[2] if len(sys.argv) > 2 else ".").resolve()
    out.mkdir(parents=True, exist_ok=True)
    html, png = out / f"map-{year}.html", out / f"map-{year}.png"
    write_map(year, html)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium not found (apt-get install chromium)")
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1520,760",
            "--virtual-time-budget=8000",
            f"--screenshot={png}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("L"))
    panel = pixels[100:650, 80:720]
    print(f"{png}: non-white share of the network panel {float((panel < 240).mean()):.3f}")


if __name__ == "__main__":
    main()
