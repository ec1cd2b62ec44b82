"""The OFL fonts of the brief and its charts, shipped as package data (see ``README.md``).

:func:`register_matplotlib` adds them to matplotlib's font manager (so charts never fall back
to a system font and print no ``findfont`` warning); :func:`font_face_css` returns the
``@font-face`` rules that make WeasyPrint and browsers use the same files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["FACES", "FONT_DIR", "font_face_css", "register_matplotlib"]

FONT_DIR = Path(__file__).parent

#: (family, file stem, CSS weight, CSS style) of every shipped face.
FACES: tuple[tuple[str, str, int, str], ...] = (
    ("Noto Serif", "NotoSerif-Regular", 400, "normal"),
    ("Noto Serif", "NotoSerif-Bold", 700, "normal"),
    ("Noto Serif", "NotoSerif-Italic", 400, "italic"),
    ("Noto Sans", "NotoSans-Regular", 400, "normal"),
    ("Noto Sans", "NotoSans-Bold", 700, "normal"),
    ("Noto Sans", "NotoSans-Italic", 400, "italic"),
    ("Noto Naskh Arabic", "NotoNaskhArabic-Regular", 400, "normal"),
    ("Noto Naskh Arabic", "NotoNaskhArabic-Bold", 700, "normal"),
    ("Noto Sans Arabic", "NotoSansArabic-Regular", 400, "normal"),
    ("Noto Sans Arabic", "NotoSansArabic-Bold", 700, "normal"),
)


@cache
def register_matplotlib() -> list[str]:
    """Add every shipped face to matplotlib's font manager (once); return the families added."""
    from matplotlib import font_manager

    for _, stem, _, _ in FACES:
        font_manager.fontManager.addfont(str(FONT_DIR / f"{stem}.ttf"))
    return sorted({family for family, *_ in FACES})


def font_face_css() -> str:
    """``@font-face`` rules for every shipped face, pointing at the package's files."""
    rules = []
    for family, stem, weight, style in FACES:
        uri = (FONT_DIR / f"{stem}.ttf").as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{uri}") format("truetype"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)
