"""The brief's fonts are package data: charts and PDFs never depend on system font packages."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from minilateral.fonts import FACES, FONT_DIR, font_face_css, register_matplotlib

SCRIPT = """
import warnings
warnings.simplefilter("ignore")
from pypdf import PdfReader
from minilateral.brief import run_brief, write_brief
run = run_brief(["somalia"], models=["compromise", "nash"], alignment=False,
                mediation_draws=5, draws=10)
write_brief(run, {out!r})
fonts = set()
for page in PdfReader({out!r}).pages:
    for font in page["/Resources"].get("/Font", {{}}).values():
        fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
print(sorted(fonts))
"""


def test_every_face_is_shipped_with_its_licence() -> None:
    for _, stem, _, _ in FACES:
        assert (FONT_DIR / f"{stem}.ttf").stat().st_size > 50_000
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()
    css = font_face_css()
    assert css.count("@font-face") == len(FACES)
    assert 'font-family: "Noto Naskh Arabic"' in css


def test_matplotlib_uses_the_shipped_fonts_without_warnings(caplog) -> None:
    from matplotlib import font_manager

    register_matplotlib()
    with caplog.at_level(logging.WARNING, logger="matplotlib.font_manager"):
        for family in ("Noto Sans", "Noto Serif", "Noto Naskh Arabic", "Noto Sans Arabic"):
            path = font_manager.findfont(family, fallback_to_default=False)
            assert font_manager.FontProperties(fname=path).get_name() == family, path
    registered = {str(Path(f.fname)) for f in font_manager.fontManager.ttflist}
    assert {str(FONT_DIR / f"{stem}.ttf") for _, stem, _, _ in FACES} <= registered
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_pdf_without_any_system_font(tmp_path: Path) -> None:
    """An empty fontconfig (a machine without font packages): the PDF embeds only Noto."""
    pytest.importorskip("weasyprint")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    out = tmp_path / "b.pdf"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(out=str(out))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "findfont" not in done.stderr
    fonts = eval(done.stdout.strip().splitlines()[-1])  # a printed list of names
    assert fonts
    assert all(f.startswith("Noto") for f in fonts), fonts
