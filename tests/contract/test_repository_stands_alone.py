"""A clone of this repository alone is the whole project: nothing in it reads or links outside its root.

Scanned: every tracked text file (the copied test data under tests/data excepted). Refused: the team
folder beside the project (`shared` one level up), absolute paths of this machine (`/work/...`), Python paths
built from `__file__` that climb above the root, and Markdown links that leave the root or lead nowhere.
"""

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
THIS_FILE = PurePosixPath(Path(__file__).resolve().relative_to(ROOT).as_posix())
NOT_SCANNED = ("tests/data/", "uv.lock")

SIBLING_FOLDER = re.compile(r"\.\./+shared\b")
MACHINE_PATH = re.compile(r"(?<![\w.])/work/")
FILE_ANCESTOR = re.compile(
    r"Path\(__file__\)(?:\.resolve\(\)|\.absolute\(\))?((?:\.parents\[\d+\]|\.parent\b)+)"
)
MARKDOWN_LINK = re.compile(r"\]\(([^()\s]+)\)")
BESIDE = ".." + "/shared"  # spelt in two halves, so that this file does not name it either


def tracked_files() -> list[PurePosixPath]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [PurePosixPath(name) for name in listed.split("\0") if name]


def scanned_texts() -> Iterator[tuple[PurePosixPath, str]]:
    for path in tracked_files():
        if path == THIS_FILE or str(path).startswith(NOT_SCANNED) or not (ROOT / path).is_file():
            continue
        try:
            yield path, (ROOT / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary


def levels_up(chain: str) -> int:
    """`.parents[2]` climbs 3 levels from a file, `.parent` one."""
    steps = re.findall(r"\.parents\[(\d+)\]|\.parent\b", chain)
    return sum(int(index) + 1 if index else 1 for index in steps)


def escapes_root(path: PurePosixPath, target: str) -> bool:
    """Whether `target`, relative to the folder of `path` (relative to the root), lands outside the root."""
    depth = len(path.parts) - 1
    for part in PurePosixPath(target).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def outside_references(path: PurePosixPath, text: str) -> list[str]:
    """What in one file points outside the repository, as `file:line: why` strings."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        if SIBLING_FOLDER.search(line):
            found.append(f"{where}: names the folder beside the repository: {line.strip()}")
        if MACHINE_PATH.search(line):
            found.append(f"{where}: an absolute path of one machine: {line.strip()}")
        for chain in FILE_ANCESTOR.findall(line):
            if levels_up(chain) > len(path.parts):
                found.append(f"{where}: climbs above the repository root: {line.strip()}")
    return found


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as dashes."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", re.sub(r"```.*?```", "", markdown, flags=re.DOTALL), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def broken_links(path: PurePosixPath, text: str) -> list[str]:
    found = []
    for target in MARKDOWN_LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue  # a URL
        file_part, _, anchor = target.partition("#")
        linked = ROOT / path.parent / file_part if file_part else ROOT / path
        if escapes_root(path, file_part):
            found.append(f"{path}: links outside the repository: {target}")
        elif not linked.exists():
            found.append(f"{path}: links to a missing file: {target}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text()):
            found.append(f"{path}: links to a missing heading: {target}")
    return found


def test_nothing_tracked_points_outside_the_repository():
    found = [problem for path, text in scanned_texts() for problem in outside_references(path, text)]
    assert not found, "\n".join(found)


def test_markdown_links_lead_to_files_of_the_repository():
    markdown = [(path, text) for path, text in scanned_texts() if path.suffix == ".md"]
    assert any(path == PurePosixPath("README.md") for path, _ in markdown)
    found = [problem for path, text in markdown for problem in broken_links(path, text)]
    assert not found, "\n".join(found)


def test_the_test_data_is_in_the_repository_with_its_origins():
    tracked = {str(path) for path in tracked_files()}
    mails = [name for name in tracked if name.startswith("tests/data/emails/") and name.endswith(".eml")]
    assert len(mails) >= 79
    origins = (ROOT / "tests/data/emails/ORIGINS.tsv").read_text().splitlines()
    listed = {line.split("\t")[0] for line in origins[1:] if line}
    assert listed == {PurePosixPath(name).name for name in mails}, "every mail has its origin, and no more"
    assert {"tests/data/README.md", "tests/data/emails/MANIFEST.md"} <= tracked


@pytest.mark.parametrize(
    ("path", "line", "problem"),
    [
        ("README.md", f"see [the design]({BESIDE}/DESIGN.md)", "folder beside"),
        ("bench/corpus.py", 'EMAILS = "/work/shared/testdata/emails"', "absolute path"),
        ("a/b/c.py", 'DATA = Path(__file__).resolve().parents[2] / "x"', None),
        ("a/b/c.py", 'DATA = Path(__file__).resolve().parents[3] / "shared"', "climbs above"),
        ("a/b/c.py", "DATA = Path(__file__).parents[2].parent", "climbs above"),
        ("a/b/c.py", "DATA = Path(__file__).parent.parent.parent", None),
        ("docs/x.md", "a path such as /srv/work/data is not this machine's", None),
    ],
)
def test_the_scan_tells_outside_references_apart(path, line, problem):
    found = outside_references(PurePosixPath(path), line)
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1
        assert problem in found[0]


@pytest.mark.parametrize(
    ("path", "target", "problem"),
    [
        ("README.md", "docs/adr", None),
        ("README.md", f"{BESIDE}/DESIGN.md", "outside"),
        ("docs/adr/0001-transactional-outbox.md", "../architecture.md#events", None),
        ("docs/adr/0001-transactional-outbox.md", "../../../DESIGN.md", "outside"),
        ("README.md", "docs/no-such-page.md", "missing"),
        ("README.md", "https://example.org/x", None),
        ("README.md", "docs/architecture.md#events", None),
        ("README.md", "docs/architecture.md#no-such-section", "missing heading"),
        ("README.md", "#configuration", None),
    ],
)
def test_the_link_check_tells_broken_links_apart(path, target, problem):
    found = broken_links(PurePosixPath(path), f"[text]({target})")
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1
        assert problem in found[0]
