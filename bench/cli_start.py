"""How long the ``hotline`` command takes to start, against a bare ``python -c pass``, same run.

    python bench/cli_start.py [--rounds 15]

A fresh SQLite database is migrated and given one ticket; then, round after round (so a burst of
load on a shared machine hits all of them alike), each command runs as a new process, the way a
person or a script runs it: ``python -c pass`` (the interpreter alone), ``hotline --help``,
``hotline catalog list`` and ``hotline ticket show N`` (two read commands: the catalogue, and a
ticket with its history and texts). Prints the median and p90 of each, what the command adds to the
bare interpreter, and the ratio. Target: under 0.3 s for ``--help`` and a read command.

Two more baselines run in the same rounds: ``python -c "import sqlalchemy"`` and ``python -c
"import sqlalchemy.orm"``, what any command that reads the database through the models pays before
it does anything of its own; a read command's line also says what it costs on top of the latter.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.3


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and the child's CPU time (user + system), which a loaded machine disturbs less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
            # An installed hotline runs from compiled bytecode (pip compiles it; a checkout caches it on
            # the first run): so do these, from a cache of their own, made in the warm-up rounds.
            "PYTHONPYCACHEPREFIX": f"{tmp}/pycache",
            "HOTLINE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32),
            "HOTLINE_SPOOL_DIR": f"{tmp}/spool",
        }
        hotline = [sys.executable, "-m", "hotline"]
        subprocess.run([*hotline, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        created = subprocess.run(
            [*hotline, "ticket", "create", "--phone", "13800138000", "--item", "HK-CLEAN-HOURLY", "--text", "钟点工"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        number = created.stdout.split()[-1]
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "python: import sqlalchemy": [sys.executable, "-c", "import sqlalchemy"],
            "python: import sqlalchemy.orm": [sys.executable, "-c", "import sqlalchemy.orm"],
            "hotline --help": [*hotline, "--help"],
            "hotline catalog list": [*hotline, "catalog", "list"],
            f"hotline ticket show {number}": [*hotline, "ticket", "show", number],
        }
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.rounds + 2):
            for name, argv in commands.items():
                wall, cpu = _run(argv, env)
                if round_ >= 2:  # the first two warm the page cache and the bytecode
                    walls[name].append(wall)
                    cpus[name].append(cpu)
    bare_wall, bare_cpu = statistics.median(walls["python -c pass"]), statistics.median(cpus["python -c pass"])
    orm_cpu = statistics.median(cpus["python: import sqlalchemy.orm"])
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        p90 = sorted(walls[name])[int(0.9 * (len(walls[name]) - 1))]
        line = f"{name:32} wall median {wall * 1000:5.0f} ms (p90 {p90 * 1000:5.0f})  cpu {cpu * 1000:5.0f} ms"
        if name != "python -c pass":
            line += f"  wall {wall / bare_wall:4.1f}x bare, cpu +{(cpu - bare_cpu) * 1000:4.0f} ms"
        if name.startswith("hotline"):
            verdict = "met" if wall < TARGET_S else "NOT met"
            line += f";  wall < {TARGET_S} s: {verdict}"
            if name != "hotline --help":
                line += f";  cpu +{(cpu - orm_cpu) * 1000:4.0f} ms over import sqlalchemy.orm"
        print(line)
    load = os.getloadavg()[0]
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)")


if __name__ == "__main__":
    main()
