"""The house rules that a reader should not have to check by hand."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LAYERS = {"config": 1, "sms": 2, "providers": 3, "dispatch": 4, "callbacks": 5, "hotline": 6}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_lower_packages_never_import_higher_ones() -> None:
    problems = []
    for package, layer in LAYERS.items():
        for path in sorted((REPO / package).rglob("*.py")):
            for lineno, imported in _imports(path):
                if LAYERS.get(imported, 0) > layer:
                    problems.append(
                        f"{path.relative_to(REPO)}:{lineno}: {package} (layer {layer}) imports "
                        f"{imported} (layer {LAYERS[imported]})"
                    )
    assert not problems, "\n".join(problems)


def test_every_user_facing_message_is_translated_in_both_languages() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/messages.py", "--check"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", list(LAYERS))
def test_modules_stay_readable(package: str) -> None:
    """ARCHITECTURE.md: split a module before it passes ~400 lines."""
    long = [
        f"{p.relative_to(REPO)} ({n} lines)"
        for p in (REPO / package).rglob("*.py")
        if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert not long, ", ".join(long)
