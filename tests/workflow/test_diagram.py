"""The README's workflow diagram is the one the code prints."""

import re
from pathlib import Path

from django.core.management import call_command

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_diagram_the_command_prints(capsys):
    call_command("workflow_diagram")
    printed = capsys.readouterr().out.strip()
    shown = re.search(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert shown, "README.md has no mermaid block under Workflow"
    assert shown.group(1).strip() == printed, (
        "run `python manage.py workflow_diagram` and paste it in README.md"
    )


def test_every_state_has_its_label_and_every_step_its_name(capsys):
    call_command("workflow_diagram")
    printed = capsys.readouterr().out
    assert "awaiting_info : awaiting_info — Menunggu kelengkapan" in printed
    for name in ("expire_info", "accept_referral", "return_referral", "mark_duplicate", "withdraw", "close"):
        assert f": {name}" in printed
