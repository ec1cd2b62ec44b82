"""The root command group loads command modules lazily; its static listing must stay true."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from minilateral.cli import COMMANDS, app, load_commands


def test_command_table_matches_the_modules() -> None:
    """Every module's commands are in COMMANDS with their real one-line help, and no others."""
    registered: dict[str, tuple[str, str]] = {}
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        for name, command in load_commands(module).items():
            registered[name] = (module, command.get_short_help_str(1000))
    assert registered == COMMANDS


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.output


def test_unknown_command_suggests_the_closest() -> None:
    result = CliRunner().invoke(app, ["forcast", "gaza"])
    assert result.exit_code == 2
    assert "Did you mean 'forecast'?" in result.output


def test_light_commands_do_not_import_numpy() -> None:
    """``--help`` and ``--version`` start without NumPy, pandas or the models."""
    code = (
        "import sys\n"
        "from minilateral.cli import main\n"
        "sys.argv = ['minilateral', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'minilateral.models') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "HEAVY []" in out
    assert "minilateral " in out
