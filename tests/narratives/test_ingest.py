"""Each corpus layout, written by the test, read into the same table; errors name line and field."""

from __future__ import annotations

import json
import zipfile

import pytest

from minilateral.errors import FormatError
from minilateral.narratives import load_store, read_corpus, save_store
from minilateral.narratives.ingest import COLUMNS, detect_format, read_file

T0 = 1756728000  # 2025-09-01T12:00:00Z


def test_generic_csv(tmp_path):
    p = tmp_path / "posts.csv"
    p.write_text(
        "id,time,author,text,url,lang,repost_of\n"
        "1,2025-09-01T12:00:00Z,alice,Qatar and Türkiye,https://a.example/x,en,\n"
        '2,2025-09-01T12:00:30+00:00,bob,"quoted, text",,tr,1\n'
        "3,2025-09-01 12:01:00,carol,بدون رابط,,ar,\n",
        encoding="utf-8",
    )
    posts, record = read_file(p)
    assert list(posts.columns) == list(COLUMNS)
    assert posts["time"].tolist() == [T0, T0 + 30, T0 + 60]
    assert posts["repost_of"].tolist() == ["", "1", ""]
    assert posts["text"].iloc[1] == "quoted, text"
    assert record["format"] == "generic"
    assert record["rows"] == 3
    assert len(record["sha256"]) == 64


def test_generic_jsonl(tmp_path):
    p = tmp_path / "posts.jsonl"
    rows = [
        {"id": "a", "time": "2025-09-01T12:00:00Z", "author": "x", "text": "hello"},
        {"id": "b", "time": "2025-09-01T12:00:01Z", "author": "y", "text": "hi", "url": "u"},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    posts, _ = read_file(p)
    assert posts["url"].tolist() == ["", "u"]
    assert posts["time"].tolist() == [T0, T0 + 1]


def test_bad_time_names_line_and_field(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("id,time,author,text\n1,2025-09-01T12:00:00Z,a,t\n2,yesterday,b,t\n")
    with pytest.raises(FormatError, match=r"bad\.csv: line 3: field 'time': 'yesterday'"):
        read_file(p)


def test_missing_column_and_empty_author(tmp_path):
    p = tmp_path / "nocol.csv"
    p.write_text("id,time,text\n1,2025-09-01T12:00:00Z,t\n")
    with pytest.raises(FormatError, match="missing column author"):
        read_file(p)
    q = tmp_path / "empty.csv"
    q.write_text("id,time,author,text\n1,2025-09-01T12:00:00Z,,t\n")
    with pytest.raises(FormatError, match=r"line 2: field 'author': empty value"):
        read_file(q)


def test_duplicate_ids_across_files(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("id,time,author,text\n1,2025-09-01T12:00:00Z,a,t\n")
    with pytest.raises(FormatError, match="more than one file"):
        read_corpus([tmp_path / "a.csv", tmp_path / "b.csv"])


def test_io_archive_layout(tmp_path):
    p = tmp_path / "ira_tweets.csv"
    p.write_text(
        "tweetid,userid,user_screen_name,tweet_language,tweet_text,tweet_time,"
        "in_reply_to_tweetid,retweet_tweetid,urls,hashtags\n"
        '100,u1,one,ar,نص,2025-09-01 12:00,,,"[https://a.example/1, https://b.example/2]",[]\n'
        "101,u2,two,en,RT text,2025-09-01 12:02,,100,[],[]\n",
        encoding="utf-8",
    )
    assert detect_format(p) == "io_archive"
    posts, _ = read_file(p)
    assert posts["author"].tolist() == ["u1", "u2"]
    assert posts["time"].tolist() == [T0, T0 + 120]
    assert posts["url"].iloc[0] == "https://a.example/1 https://b.example/2"
    assert posts["url"].iloc[1] == ""
    assert posts["repost_of"].iloc[1] == "100"


def _telegram_chat(chat_id):
    return {
        "name": "Channel",
        "type": "public_channel",
        "id": chat_id,
        "messages": [
            {"id": 1, "type": "service", "date": "2025-09-01T12:00:00", "action": "create_channel"},
            {
                "id": 2,
                "type": "message",
                "date": "2025-09-01T12:00:00",
                "date_unixtime": str(T0),
                "from": "Channel",
                "from_id": f"channel{chat_id}",
                "text": [
                    "Read ",
                    {"type": "link", "text": "https://x.example/a"},
                    " and ",
                    {"type": "text_link", "text": "this", "href": "https://y.example/b"},
                ],
            },
            {
                "id": 3,
                "type": "message",
                "date": "2025-09-01T12:00:10",
                "from": "Channel",
                "from_id": f"channel{chat_id}",
                "forwarded_from": "Other channel",
                "reply_to_message_id": 2,
                "text": "خبر عاجل",
            },
        ],
    }


def test_telegram_single_and_all_chats(tmp_path):
    one = tmp_path / "result.json"
    one.write_text(json.dumps(_telegram_chat(7)), encoding="utf-8")
    posts, record = read_file(one)
    assert record["format"] == "telegram"
    assert posts["id"].tolist() == ["7/2", "7/3"]
    assert posts["text"].iloc[0] == "Read https://x.example/a and this"
    assert posts["url"].iloc[0] == "https://x.example/a https://y.example/b"
    assert posts["time"].tolist() == [T0, T0 + 10]
    assert posts["repost_of"].iloc[1].startswith("fwd:Other channel:")
    assert posts["reply_to"].iloc[1] == "7/2"
    every = tmp_path / "all.json"
    every.write_text(json.dumps({"chats": {"list": [_telegram_chat(7), _telegram_chat(8)]}}))
    assert len(read_file(every)[0]) == 4


def _gdelt_event_row(i):
    cells = [""] * 61
    cells[0] = str(i)
    cells[6], cells[16], cells[26] = "QATAR", "TURKEY", "042"
    cells[59] = "20250901120000"
    cells[60] = f"https://www.news.example/story{i}"
    return "\t".join(cells)


def test_gdelt_events_and_gkg_zip(tmp_path):
    ev = tmp_path / "20250901120000.export.CSV"
    ev.write_text(_gdelt_event_row(1) + "\n" + _gdelt_event_row(2) + "\n")
    posts, record = read_file(ev)
    assert record["format"] == "gdelt_events"
    assert posts["author"].tolist() == ["news.example"] * 2
    assert posts["text"].iloc[0] == "QATAR 042 TURKEY"
    assert posts["time"].iloc[0] == T0
    gkg = [""] * 27
    gkg[0], gkg[1], gkg[3], gkg[4] = (
        "20250901120000-1",
        "20250901120000",
        "doha.example",
        "https://doha.example/a",
    )
    gkg[7] = "TAX_FNCACT;LEADER"
    gkg[26] = "<PAGE_TITLE>Qatar and Turkey sign deals</PAGE_TITLE>"
    z = tmp_path / "20250901120000.gkg.csv.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("20250901120000.gkg.csv", "\t".join(gkg) + "\n")
    posts, record = read_file(z)
    assert record["format"] == "gdelt_gkg"
    assert posts["text"].tolist() == ["Qatar and Turkey sign deals"]
    assert posts["author"].tolist() == ["doha.example"]


def test_gdelt_wrong_width_names_line(tmp_path):
    ev = tmp_path / "x.export.CSV"
    ev.write_text(_gdelt_event_row(1) + "\n" + "1\t2\t3\n")
    with pytest.raises(FormatError, match=r"line 2: 3 tab-separated columns, expected 61"):
        read_file(ev)


def test_store_round_trip(tmp_path, planted_csv):
    corpus = read_corpus(planted_csv)
    folder = save_store(corpus, tmp_path / "store")
    back = load_store(folder)
    assert back.files == corpus.files
    assert back.posts["id"].tolist() == corpus.posts["id"].tolist()
    assert back.posts["time"].tolist() == corpus.posts["time"].tolist()
    assert back.input_hash == corpus.input_hash
