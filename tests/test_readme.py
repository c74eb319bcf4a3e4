"""The README's set-up commands are the ones CI runs, and what it documents exists."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def setup_commands():
    section = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    python3 -m venv")]


def test_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = setup_commands()
    assert len(commands) == 2
    make, test = commands
    assert "brief make examples/state-visit" in make
    assert "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text()
    assert test in ci.splitlines()


def test_examples_exist_and_exit_codes_match_errors_module():
    from briefing import errors

    assert len(list((ROOT / "examples" / "state-visit").glob("*.txt"))) == 5
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", README, re.M))
    for name in ("EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_PARTIAL"):
        assert str(getattr(errors, name)) in table
