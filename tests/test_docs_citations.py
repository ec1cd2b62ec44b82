"""The repository explains itself: code cites the documents in ``docs/``, never external specs.

Issue 19, item 7: the model documents state each formula the code implements, and code comments
cite those documents by section anchor (``docs/models/nash.md#computation``). These tests fail
when a module under ``src/minilateral`` points at the ``specs/`` files that the repository does
not have, when a cited document or heading anchor does not exist, and when ``docs/`` or the
README point at ``specs/``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import yaml

from minilateral.brief.sections import reader_text

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "minilateral"
DOCS = ROOT / "docs"

FORBIDDEN = re.compile(r"specs/|spec §")
CITATION = re.compile(r"(?<![\w/.-])docs/((?:[\w.-]+/)*[\w.-]+\.md)(?:#([\w-]+))?")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")


def _text_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # images, fonts, compiled files
            continue
        files.append(path)
    return files


@cache
def _src_files() -> tuple[Path, ...]:
    return tuple(_text_files(SRC))


def slugify(value: str, separator: str = "-") -> str:
    """Python-Markdown's default ``toc`` slug: ASCII-fold, drop punctuation, lowercase, hyphens."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def _heading_text(raw: str) -> str:
    """The text a heading renders to: links, code spans and emphasis reduced to their text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    parts = re.split(r"(`[^`]*`)", text)  # code spans keep their underscores and asterisks
    for i, part in enumerate(parts):
        if part.startswith("`"):
            parts[i] = part[1:-1]
        else:
            part = re.sub(r"(\*\*|\*)(\S(?:.*?\S)?)\1", r"\2", part)
            parts[i] = re.sub(r"(?<!\w)(__|_)(\S(?:.*?\S)?)\1(?!\w)", r"\2", part)
    return "".join(parts)


@cache
def anchors(document: Path) -> frozenset[str]:
    """The heading anchors mkdocs generates for ``document`` (duplicates get ``_1``, ``_2``)."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    in_fence = False
    for line in document.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        match = HEADING.match(line) if not in_fence else None
        if match is None:
            continue
        slug = slugify(_heading_text(match.group(2)))
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}_{seen[slug]}"
        else:
            seen[slug] = 0
        out.add(slug)
    return frozenset(out)


def _citations(roots: tuple[str, ...] = ("src/minilateral",)) -> list[tuple[str, str, str | None]]:
    """``(where, document, anchor)`` of every ``docs/...md[#anchor]`` cited under ``roots``."""
    found = []
    here = Path(__file__).resolve()  # this file names the pattern, not a document
    files = [f for root in roots for f in _text_files(ROOT / root) if f.resolve() != here]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in CITATION.finditer(line):
                found.append((f"{rel}:{number}", match.group(1), match.group(2)))
    return found


def test_mkdocs_uses_the_default_slugify() -> None:
    """The anchors computed here are mkdocs's only while ``toc`` keeps its default slugify."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    toc = next(
        (
            ext["toc"]
            for ext in config.get("markdown_extensions", [])
            if isinstance(ext, dict) and "toc" in ext
        ),
        {},
    )
    assert "slugify" not in (toc or {})


def test_no_module_points_at_the_external_specs() -> None:
    offenders = []
    for path in _src_files():
        rel = path.relative_to(SRC).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"src/minilateral/{rel}:{number}: {line.strip()}")
    assert not offenders, "cite docs/...md#anchor instead:\n" + "\n".join(offenders)


def test_code_cites_the_documents() -> None:
    """Enough citations exist for the anchor check below to mean something."""
    cited = {doc for _, doc, _ in _citations()}
    assert len(_citations()) >= 100
    assert {"alignment.md", "models/nash.md", "models/exchange.md", "evaluation.md"} <= cited


def test_every_cited_document_and_anchor_exists() -> None:
    missing = []
    for where, doc, anchor in _citations(("src/minilateral", "tests", "benchmarks")):
        document = DOCS / doc
        if not document.is_file():
            missing.append(f"{where}: docs/{doc} does not exist")
        elif anchor is not None and anchor not in anchors(document):
            missing.append(f"{where}: docs/{doc} has no heading with anchor #{anchor}")
    assert not missing, "\n".join(missing)


def test_anchors_match_python_markdown() -> None:
    """The slugs computed here are the ids Python-Markdown gives the cited documents.

    MkDocs always enables ``toc``, ``tables`` and ``fenced_code``; mkdocs.yml adds the rest.
    """
    markdown = pytest.importorskip("markdown")
    for doc in sorted(
        {doc for _, doc, _ in _citations(("src/minilateral", "tests", "benchmarks"))}
    ):
        html = markdown.markdown(
            (DOCS / doc).read_text(encoding="utf-8"),
            extensions=["toc", "tables", "fenced_code", "admonition"],
        )
        ids = set(re.findall(r'<h[1-6] id="([^"]+)"', html))
        assert ids == anchors(DOCS / doc), doc


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Signorino and Ritter's S", "signorino-and-ritters-s"),
        ("The 0–100 scale", "the-0100-scale"),
        ("KTAB's scales and limits", "ktabs-scales-and-limits"),
        ("3. The supplier's target", "3-the-suppliers-target"),
        ("Options (`--agreement-set KEY=VALUE`)", "options-agreement-set-keyvalue"),
    ],
)
def test_slugify(heading: str, slug: str) -> None:
    assert slugify(_heading_text(heading)) == slug


def test_docs_and_readme_do_not_point_at_the_specs() -> None:
    offenders = []
    for path in [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "specs/" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_reader_text_drops_document_pointers() -> None:
    """Briefs show docstring text to readers: no file paths, no section anchors."""
    assert reader_text("Weighted mean (see ``docs/models/baselines.md#medians``).") == (
        "Weighted mean."
    )
    assert reader_text("KTAB, https://github.com/KAPSARC/KTAB; model as specified in x/y.md.") == (
        "KTAB, https://github.com/KAPSARC/KTAB."
    )
    assert reader_text("Data: https://example.org/a/README.md") == (
        "Data: https://example.org/a/README.md"
    )
