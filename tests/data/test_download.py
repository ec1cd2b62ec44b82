"""The downloader end-to-end against a local HTTP server (127.0.0.1) with Range support."""

from __future__ import annotations

import hashlib
import http.server
import threading
from dataclasses import replace
from typing import ClassVar

import pandas as pd
import pytest

from minilateral.data.catalog import CATALOG, Source
from minilateral.data.download import download, fetch
from minilateral.data.store import read_manifest, read_table
from minilateral.errors import DataError

NMC_CSV = (
    "stateabb,ccode,year,milex,milper,irst,pec,tpop,upop,cinc,version\n"
    "USA,2,2000,300000,1400,100000,3000000,280000,150000,0.14,7\n"
    "QAT,694,2000,-9,12,0,20000,600,400,0.0003,7\n"
    "TUR,640,2000,9000,800,14000,100000,67000,30000,0.01,7\n"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    log: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self):
        body = self.files.get(self.path)
        self.log.append((self.path, self.headers.get("Range")))
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        start = 0
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        self.wfile.write(body[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    _Handler.files = {}
    _Handler.log = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()


def _catalog(url, sha=None):
    nmc = replace(CATALOG["cow_nmc"], sources=(Source(f"{url}/nmc.csv", "csv", sha256=sha),))
    return {"cow_nmc": nmc}


def test_download_converts_to_catalogue_schema(server, tmp_path):
    url, handler = server
    body = NMC_CSV.encode()
    handler.files["/nmc.csv"] = body
    seen = []
    report = download(
        ["cow_nmc"],
        root=tmp_path,
        catalog=_catalog(url, hashlib.sha256(body).hexdigest()),
        progress=lambda u, done, total: seen.append((done, total)),
    )
    assert report.imported == ["cow_nmc"]
    assert not report.failed
    assert seen[-1] == (len(body), len(body))
    df = read_table("cow_nmc", root=tmp_path)
    assert list(df.columns) == [
        "ccode",
        "year",
        "milex",
        "milper",
        "irst",
        "pec",
        "tpop",
        "upop",
        "cinc",
    ]
    assert df["ccode"].tolist() == [2, 640, 694]  # sorted by key
    assert pd.isna(df.loc[df["ccode"] == 694, "milex"]).all()  # -9 → missing
    assert str(df["ccode"].dtype) == "Int32"
    assert read_manifest(tmp_path)["cow_nmc"]["origin"].startswith("download http://127.0.0.1")


def test_resume_partial_download(server, tmp_path):
    url, handler = server
    body = NMC_CSV.encode() * 50
    handler.files["/big.csv"] = body
    dest = tmp_path / "big.csv"
    (tmp_path / "big.csv.part").write_bytes(body[:1000])
    fetch(f"{url}/big.csv", dest, sha256=hashlib.sha256(body).hexdigest())
    assert dest.read_bytes() == body
    assert handler.log[-1] == ("/big.csv", "bytes=1000-")
    assert not (tmp_path / "big.csv.part").exists()


def test_checksum_mismatch_is_an_error_and_keeps_nothing(server, tmp_path):
    url, handler = server
    handler.files["/nmc.csv"] = NMC_CSV.encode()
    report = download(["cow_nmc"], root=tmp_path, catalog=_catalog(url, "0" * 64))
    assert report.failed
    assert "checksum mismatch" in report.failed[0][1]
    assert not (tmp_path / "cow_nmc.parquet").exists()
    assert not list((tmp_path / ".downloads").rglob("*.part"))


def test_http_error_and_unsupported_format(server, tmp_path):
    url, _ = server
    with pytest.raises(DataError, match="HTTP 404"):
        fetch(f"{url}/missing.csv", tmp_path / "x.csv")
    report = download(
        ["un_votes_ccode"],
        root=tmp_path,
        catalog={
            "un_votes_ccode": replace(
                CATALOG["un_votes_ccode"], sources=(Source(f"{url}/y.qs", "qs"),)
            )
        },
    )
    assert "HTTP 404" in report.failed[0][1]


def test_every_catalogue_table_has_a_public_source():
    for table in CATALOG.values():
        assert table.sources
        assert all(s.url.startswith("https://") for s in table.sources)
