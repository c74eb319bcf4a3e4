"""The CLI end to end through typer's runner, with the real embedded model."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def make(*args, input=None):
    return runner.invoke(app, ["make", *map(str, args)], input=input)


def test_seeds_to_json_contract_every_evidence_verbatim(seeds, tmp_path):
    out = tmp_path / "b.json"
    r = make(seeds, "-o", out, "-q")
    assert r.exit_code == 0, r.output
    b = json.loads(out.read_text())
    assert set(b) >= {"title", "generated_at", "model", "sources", "stories", "skipped"}
    assert b["model"] == "all-MiniLM-L6-v2"
    assert [s["id"] for s in b["sources"]] == [1, 2, 3, 4, 5]
    assert all(Path(s["path"]).is_absolute() and s["duplicate_of"] is None for s in b["sources"])
    assert len(b["stories"]) == 1
    claims = b["stories"][0]["claims"]
    assert len(claims) >= 5
    assert sum(len({c["source"] for c in cl["citations"]}) >= 2 for cl in claims) >= 3
    texts = {s["id"]: " ".join(Path(s["path"]).read_text(encoding="utf-8").split()) for s in b["sources"]}
    for cl in claims:
        for c in cl["citations"]:
            assert " ".join(c["evidence"].split()) in texts[c["source"]]
    # ordered by independent sources, then importance
    counts = [len({c["source"] for c in cl["citations"]}) for cl in claims]
    assert counts == sorted(counts, reverse=True)
    assert sum(len(cl["text"].split()) for cl in claims) <= 250
    conflicts = b["stories"][0]["conflicts"]
    abouts = " ".join(k["about"] for k in conflicts)
    assert "Tuesday" in abouts and "Wednesday" in abouts
    # the three disagreements of the seeds, each with its kind and slot
    slots = {k["slot"]: k for k in conflicts}
    assert {"day", "name", "place"} <= set(slots) and all(k["kind"] == "contradiction" for k in conflicts)
    assert "Manturov" in slots["name"]["about"] and "Novak" in slots["name"]["about"]
    assert "Vostochny" in slots["place"]["about"] and "Vladivostok" in slots["place"]["about"]
    # the side another source contradicts is no plain claim
    assert not any("Vladivostok" in cl["text"] for cl in claims)
    # claims and disagreements together keep to the words asked for
    conflict_words = sum(len(k["about"].split()) + sum(len(s["text"].split()) for s in k["sides"]) for k in conflicts)
    assert sum(len(cl["text"].split()) for cl in claims) + conflict_words <= 250


def test_check_briefing_tool_passes_on_the_seeds(seeds, tmp_path):
    out = tmp_path / "b.json"
    assert make(seeds, "-o", out, "-q").exit_code == 0
    from conftest import check_tool

    tool = check_tool()
    p = subprocess.run([sys.executable, str(tool), str(out), "--min-claims", "5", "--min-multi", "3"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout


def test_markdown_has_key_points_markers_footnotes_and_sources(seeds):
    r = make(seeds, "-q")
    assert r.exit_code == 0
    md = r.stdout
    assert md.startswith("# ")
    assert "**Key points**" in md and "## Sources" in md and "## Where sources differ" in md
    assert md.index("**Key points**") < md.index("## Sources")
    assert "[^1]:" in md and "*[^1]" in md and "> **Sources differ:**" in md  # names, then the footnote
    for phrase in ("Leave a Reply", "Subscribe", "Back to top", "Image Credit", "Related Articles"):
        assert phrase not in md


def test_words_cap_and_title(seeds):
    r = make(seeds, "-f", "json", "--words", "60", "--title", "Morning notes", "-q")
    b = json.loads(r.stdout)
    assert b["title"] == "Morning notes"
    assert sum(len(c["text"].split()) for s in b["stories"] for c in s["claims"]) <= 60


def test_stdin_input(seeds):
    text = (seeds / "003_df518127a403c346.txt").read_text()
    r = make("-", "-f", "json", "-q", input=text)
    assert r.exit_code == 0, r.output
    b = json.loads(r.stdout)
    assert b["sources"][0]["path"] is None and b["stories"][0]["claims"]


def test_syndicated_copy_is_marked_and_not_counted(seeds):
    (seeds / "005_copy.txt").write_text((seeds / "003_df518127a403c346.txt").read_text())
    r = make(seeds, "-f", "json", "-q")
    b = json.loads(r.stdout)
    copy = [s for s in b["sources"] if s["path"].endswith("005_copy.txt")][0]
    assert copy["duplicate_of"] == 4
    cited = {c["source"] for s in b["stories"] for cl in s["claims"] for c in cl["citations"]}
    assert copy["id"] not in cited


def test_two_events_become_two_stories_most_covered_first(seeds, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    for i, (t, body) in enumerate([
        ("Floods close schools in Valencia", "Heavy rain flooded streets in Valencia on Monday and schools were "
         "closed, the regional government said. Emergency services rescued dozens of drivers from cars trapped "
         "by water. Forecasters expect more rain across eastern Spain until Wednesday."),
        ("Valencia schools shut as floods hit", "Schools in Valencia were closed on Monday after heavy rain "
         "flooded the city, regional officials said. Rescue teams pulled drivers from cars caught in the water. "
         "More rain is forecast for eastern Spain through Wednesday, the weather agency said.")]):
        (other / f"{i}.txt").write_text(f"{t}\n\n{body}")
    r = make(seeds, other, "-f", "json", "-q")
    b = json.loads(r.stdout)
    assert len(b["stories"]) == 2
    first, second = b["stories"]
    assert len(first["sources"]) == 5 and len(second["sources"]) == 2
    assert "Valencia" in second["headline"]


def test_skipped_input_is_reported_and_exit_code_is_partial(seeds):
    (seeds / "empty.txt").write_text("")
    r = make(seeds, "-f", "json", "-q")
    assert r.exit_code == 3
    b = json.loads(r.stdout)
    assert b["skipped"] == [{"input": str(seeds / "empty.txt"), "reason": "empty file"}]
    assert "skipped" in r.stderr and "empty.txt" in r.stderr


def test_nothing_usable_is_a_one_line_error_exit_2(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    r = make(tmp_path)
    assert r.exit_code == 2
    assert r.stderr.strip().count("\n") == 0
    assert r.stderr.startswith("brief: error: no usable article")
    assert "Traceback" not in r.output


@pytest.mark.parametrize("args, words", [
    (["--model", "nope"], ["unknown model 'nope'", "minilm"]),
    (["--format", "pdf"], ["unknown format 'pdf'", "json", "md"]),
    (["--words", "5"], ["--words must be between 20 and 5000"]),
])
def test_wrong_names_list_the_valid_ones(seeds, args, words):
    r = make(seeds, *args)
    assert r.exit_code == 2
    for w in words:
        assert w in r.stderr
    assert "Traceback" not in r.output


def test_output_written_atomically_and_format_from_extension(seeds, tmp_path):
    out = tmp_path / "b.json"
    out.write_text("old")
    assert make(seeds, "-o", out, "-q").exit_code == 0
    json.loads(out.read_text())
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    r = make(seeds, "-o", tmp_path / "missing-dir" / "b.md", "-q")
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_templates_override_and_strict_undefined(seeds, tmp_path):
    tdir = tmp_path / "t"
    tdir.mkdir()
    (tdir / "briefing.md.j2").write_text("TITLE={{ briefing.title }} N={{ briefing.sources | length }}\n")
    r = make(seeds, "--templates", tdir, "-q")
    assert r.exit_code == 0 and r.stdout.startswith("TITLE=") and "N=5" in r.stdout
    (tdir / "briefing.md.j2").write_text("{{ no_such_variable }}\n")
    r = make(seeds, "--templates", tdir, "-q")
    assert r.exit_code == 2 and "no_such_variable" in r.stderr


def test_help_does_not_import_torch():
    code = ("import sys; from typer.testing import CliRunner; from briefing.cli import app; "
            "r = CliRunner().invoke(app, ['make', '--help']); assert r.exit_code == 0, r.output; "
            "assert 'Exit codes' in r.output; print('torch' in sys.modules)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "False"


def test_markdown_escapes_hostile_text(tmp_path):
    (tmp_path / "a.txt").write_text("Bad <script>alert(1)</script> title\n\n"
                                    "The mayor said the [bridge](javascript:alert(1)) would reopen on Monday. "
                                    "Officials confirmed the <img src=x onerror=alert(1)> repairs were complete.")
    r = make(tmp_path, "-q")
    assert r.exit_code == 0, r.output
    import re

    # escaped as \<img ... \>: shown as text, never live markup or a link
    assert not re.search(r"(?<!\\)<(?:script|img)", r.stdout)
    assert "\\<script\\>" in r.stdout
    assert not re.search(r"(?<!\\)\]\(javascript:", r.stdout)


def test_written_file_gets_the_usual_mode(seeds, tmp_path):
    import os

    old = os.umask(0o022)
    try:
        out = tmp_path / "b.md"
        assert make(seeds, "-o", out, "-q").exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_profile_prints_each_stage_seconds_on_stderr(seeds, tmp_path, embedder):
    out = tmp_path / "b.json"
    r = CliRunner().invoke(app, ["make", str(seeds), "-q", "-f", "json", "-o", str(out), "--profile"])
    assert r.exit_code == 0, r.output
    line = [x for x in r.output.splitlines() if x.startswith("brief: profile: ")]
    assert len(line) == 1
    stages = [part.rsplit(" ", 2) for part in line[0].removeprefix("brief: profile: ").split(", ")]
    assert [name for name, _, _ in stages] == ["reading inputs", "extracting articles", "embedding sentences",
                                               "condensing articles", "merging", "writing"]
    assert all(float(secs) >= 0 and unit == "s" for _, secs, unit in stages)
    assert json.loads(out.read_text())["stories"]  # the briefing is written as without --profile
    r = CliRunner().invoke(app, ["make", str(seeds), "-q", "-f", "json", "-o", str(tmp_path / "c.json")])
    assert "profile" not in r.output
