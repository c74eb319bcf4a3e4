"""`brief verify` end to end: Markdown, JSON, exit codes, bad input."""
import json

from typer.testing import CliRunner

from briefing.cli import app
from briefing.verify import statements_of

runner = CliRunner()
SUPPORTED = "The Kremlin has described the trip as a \"friendly state visit.\""
INVENTED = "Putin and Kim went fishing together off the coast of Japan."


def verify(*args):
    return runner.invoke(app, ["verify", *map(str, args)])


def test_json_shape_one_check_per_source_and_exit_codes(seeds, tmp_path):
    summary = tmp_path / "s.md"
    summary.write_text(f"# Summary\n\n- {SUPPORTED}\n- {INVENTED}\n", encoding="utf-8")
    out = tmp_path / "v.json"
    r = verify(summary, seeds, "--format", "json", "-o", out)
    assert r.exit_code == 6, r.output
    v = json.loads(out.read_text(encoding="utf-8"))
    assert [s["id"] for s in v["sources"]] == [1, 2, 3, 4, 5]
    assert set(v["sources"][0]) >= {"id", "title", "publisher", "path", "url"}
    first, second = v["sentences"]
    assert first["text"] == SUPPORTED and first["verdict"] == "supported"
    assert second["verdict"] == "unsupported"
    for s in v["sentences"]:
        assert [c["source"] for c in s["checks"]] == [1, 2, 3, 4, 5]
        for c in s["checks"]:
            assert set(c) == {"source", "verdict", "evidence", "reason"}
            if c["evidence"]:  # word for word from its source
                text = " ".join(open(v["sources"][c["source"] - 1]["path"], encoding="utf-8").read().split())
                assert c["evidence"] in text
    assert any(c["verdict"] == "supports" for c in first["checks"])
    assert all(c["verdict"] != "supports" for c in second["checks"])


def test_markdown_by_default_and_exit_0_when_all_supported(seeds, tmp_path):
    summary = tmp_path / "s.txt"
    summary.write_text(SUPPORTED + "\n", encoding="utf-8")
    r = verify(summary, seeds)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# Verification")
    assert "1 of 1 statement supported" in r.stdout
    assert "supports: “The Kremlin has" in r.stdout


def test_partial_gives_a_reason(seeds, tmp_path):
    summary = tmp_path / "s.md"
    summary.write_text("- Putin and Kim signed a partnership agreement on Friday.\n", encoding="utf-8")
    out = tmp_path / "v.json"
    r = verify(summary, seeds, "-o", out)
    assert r.exit_code == 6
    v = json.loads(out.read_text())  # the .json extension chooses JSON
    (s,) = v["sentences"]
    assert s["verdict"] == "partial"
    partial = [c for c in s["checks"] if c["verdict"] == "partial"]
    assert partial and all("Friday" in c["reason"] for c in partial)


def test_bad_input_is_a_one_line_error_exit_2(seeds, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("\n\n", encoding="utf-8")
    binary = tmp_path / "b.md"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    good = tmp_path / "s.md"
    good.write_text(f"- {SUPPORTED}\n", encoding="utf-8")
    for args in ([empty, seeds], [binary, seeds], [good, tmp_path / "missing.txt"], [tmp_path / "nope.md", seeds],
                 [good, seeds, "--format", "html"]):
        r = verify(*args)
        assert r.exit_code == 2, (args, r.output)
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("brief: error:"), r.stderr


def test_statements_list_items_lines_and_paragraph_sentences():
    text = "# Title\n\n- One item. Still the item.\n1. [Linked](http://x) **bold** [2]\nA line. Another one.\n"
    assert statements_of(text) == ["One item. Still the item.", "Linked bold", "A line.", "Another one."]


def test_a_source_of_only_furniture_is_kept_and_supports_nothing(seeds, tmp_path):
    (seeds / "zz_furniture.txt").write_text("Leave a comment\n\nShare this\n\nSubscribe to our newsletter today!\n",
                                            encoding="utf-8")
    summary = tmp_path / "s.md"
    summary.write_text(f"- {SUPPORTED}\n", encoding="utf-8")
    out = tmp_path / "v.json"
    r = verify(summary, seeds, "-o", out)
    assert r.exit_code == 0, r.output
    v = json.loads(out.read_text())
    assert len(v["sources"]) == 6
    assert v["sentences"][0]["checks"][5] == {"source": 6, "verdict": "none", "evidence": None, "reason": None}
    assert "zz_furniture.txt has no article text" in r.stderr
