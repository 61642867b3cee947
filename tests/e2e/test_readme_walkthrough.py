"""The README's walkthrough ("Calling the API") runs as written, on the demo data that `make up` loads.

Its bash blocks are taken from README.md and run in order by one bash (`set -euo pipefail`), with the
services' addresses given through the variables the README reads (LEADS, DEALS, ...). Every step must
succeed; a step commented `# → <output>` must print exactly that. Run twice: a reader may run it again.
"""

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from crm_shared.infra.demo import load_demo_data
from crm_shared.infra.stack import LocalStack
from tests.e2e.helpers import ADMIN

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SECTION = "Calling the API"
EXPECTED = re.compile(r"\s+# → (.*)$")
RUN_TIMEOUT_S = 240


@dataclass(frozen=True)
class Step:
    command: str
    expected: str | None
    """What the step prints, when the README says so."""


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str
    failed_step: int | None
    printed: dict[int, str]


def walkthrough_blocks(readme: str) -> list[str]:
    """The bash blocks of the README's walkthrough section, in order."""
    section = readme.split(f"\n## {SECTION}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.*?)^```", section, flags=re.DOTALL | re.MULTILINE)


def steps_of(block: str) -> list[Step]:
    """One step per command; a line ending with a backslash continues on the next."""
    steps, pending = [], ""
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line + "\n"
        if line.endswith("\\"):
            continue
        expected = EXPECTED.search(pending.rstrip("\n"))
        steps.append(Step(pending.rstrip("\n"), expected.group(1).strip() if expected else None))
        pending = ""
    return steps


def script_of(steps: list[Step]) -> str:
    """Bash that records which step runs, and what each step with an expected output printed."""
    lines = ["set -euo pipefail"]
    for number, step in enumerate(steps):
        lines.append(f'echo {number} > "$WALKTHROUGH_DIR/step"')
        if step.expected is None:
            lines.append(step.command)
        else:  # the newline ends the step's own trailing comment
            lines.append(f'{{ {step.command}\n}} > "$WALKTHROUGH_DIR/{number}.out"')
    return "\n".join(lines) + "\n"


def run_steps(steps: list[Step], env: dict[str, str], workdir: Path) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["bash", "-c", script_of(steps)],
        cwd=ROOT,
        env=env | {"WALKTHROUGH_DIR": str(workdir)},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    step_file = workdir / "step"
    printed = {
        number: (workdir / f"{number}.out").read_text().strip()
        for number, step in enumerate(steps)
        if step.expected is not None and (workdir / f"{number}.out").is_file()
    }
    failed = int(step_file.read_text()) if done.returncode and step_file.is_file() else None
    return Run(done.returncode, done.stdout + done.stderr, failed, printed)


def check(steps: list[Step], run: Run) -> list[str]:
    """What went differently from the README, step by step."""
    if run.returncode:
        where = steps[run.failed_step].command if run.failed_step is not None else "before the first step"
        return [f"failed (exit {run.returncode}) at:\n{where}\n--- output:\n{run.output[-3000:]}"]
    return [
        f"{step.command}\n  printed {run.printed.get(number)!r}, the README says {step.expected!r}"
        for number, step in enumerate(steps)
        if step.expected is not None and run.printed.get(number) != step.expected
    ]


def shell_env(stack: LocalStack) -> dict[str, str]:
    """The test's environment, the services' addresses, and `uv` and the project's scripts on PATH."""
    tools = [str(Path(sys.executable).parent)]
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv:
        tools.append(str(Path(uv).parent))
    return dict(os.environ) | {
        "PATH": os.pathsep.join([*tools, os.environ.get("PATH", "")]),
        "UV_NO_SYNC": "1",  # the environment is the test's own: `uv run` must not change it
        **{name.upper(): stack.url(name) for name in ("leads", "deals", "quotes", "cases", "notifier")},
    }


def all_deals(stack: LocalStack) -> dict[str, dict[str, Any]]:
    deals: dict[str, dict[str, Any]] = {}
    cursor = None
    with httpx.Client(timeout=10) as http:
        while True:
            params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
            page = http.get(f"{stack.url('deals')}/v1/deals", params=params, headers=ADMIN).raise_for_status()
            deals |= {deal["id"]: deal for deal in page.json()["items"]}
            cursor = page.json().get("next_cursor")
            if not cursor:
                return deals


@pytest.fixture(scope="module")
def demo_stack(stack: LocalStack) -> LocalStack:
    """The stack with the demo data of `make up` (loading it twice adds nothing)."""
    load_demo_data(stack)
    return stack


@pytest.fixture(scope="module")
def walkthrough() -> list[Step]:
    blocks = walkthrough_blocks((ROOT / "README.md").read_text())
    steps = [step for block in blocks for step in steps_of(block)]
    assert steps, f"no bash blocks under '## {SECTION}' in README.md"
    assert any(step.expected for step in steps), "the walkthrough says nothing about what to expect"
    return steps


def test_the_walkthrough_reaches_the_services_through_variables(walkthrough):
    """Addresses come from LEADS, DEALS, ... so that the walkthrough runs against any stack."""
    hard_coded = [s.command for s in walkthrough if re.search(r"(localhost|127\.0\.0\.1):80\d\d/", s.command)]
    assert not hard_coded, "\n".join(hard_coded)


@pytest.mark.parametrize(
    ("block", "fails"),
    [
        ("X=$(echo won)\necho $X  # → won", False),
        ("echo lost  # → won", True),
        ("curl -sSf http://127.0.0.1:9/nothing-listens-here\necho never  # → never", True),
        ("false | cat\necho after", True),
    ],
)
def test_the_runner_fails_when_a_step_goes_otherwise(block, fails, tmp_path):
    steps = steps_of(block)
    assert (check(steps, run_steps(steps, dict(os.environ), tmp_path)) != []) == fails


def test_the_readme_walkthrough_runs_as_written_on_the_demo_data(demo_stack, walkthrough, tmp_path):
    for tool in ("bash", "curl", "jq"):
        assert shutil.which(tool), f"the walkthrough needs {tool} (scripts/bootstrap.sh installs it)"
    env = shell_env(demo_stack)
    for attempt in (1, 2):
        before = all_deals(demo_stack)
        problems = check(walkthrough, run_steps(walkthrough, env, tmp_path / f"run{attempt}"))
        assert not problems, f"run {attempt}: " + "\n".join(problems)
        after = all_deals(demo_stack)
        new = [deal for deal_id, deal in after.items() if deal_id not in before]
        assert [(d["status"], d["amount_minor"]) for d in new] == [("won", 1_250_000)], new
        changed = [d["title"] for i, d in before.items() if after[i]["status"] != d["status"]]
        assert changed == [], "the walkthrough closed deals it did not make"
