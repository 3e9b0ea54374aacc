"""The progress callback's CLI side: quiet unless a person watches a terminal, and the archive
audit's file and utterance counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from liveqc.archive.audit import ScanSpec, run_audit
from liveqc.archive.runners import LocalRunner
from liveqc.archive.sources import expand_paths
from liveqc.jobs import progress as progress_module
from liveqc.jobs.progress import no_progress, terminal_bar, watching_terminal
from tests.archive.conftest import make_archive


def test_no_bar_when_output_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert not watching_terminal()
    with terminal_bar("import") as progress:
        assert progress is no_progress
        progress(1, 2, "half")
    assert capsys.readouterr() == ("", "")


def test_a_watched_terminal_gets_a_bar_that_takes_the_callbacks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress_module, "watching_terminal", lambda: True)
    with terminal_bar("import") as progress:
        assert progress is not no_progress
        progress(0, None, "planning")
        progress(3, 10, "rows")
        progress(10, 10, "done")


class FileRecorder:
    def __init__(self) -> None:
        self.total = 0
        self.rows = 0
        self.files_seen: list[tuple[int, int, int]] = []

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, rows: int) -> None:
        self.rows += rows

    def files(self, done: int, total: int, utterances: int) -> None:
        self.files_seen.append((done, total, utterances))


def test_archive_audit_reports_files_and_utterances(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    archive = make_archive(tmp_path / "archive")
    sink = FileRecorder()
    with LocalRunner((), workers=1) as runner:
        summary = run_audit(
            expand_paths([str(archive.root)]),
            runner,
            output=tmp_path / "out",
            spec=ScanSpec(),
            catalogue="test",
            chunk_rows=10,
            progress=sink,
        )
    assert sink.rows == sink.total
    done, total, utterances = sink.files_seen[-1]
    assert (done, total) == (2, 2) and utterances == summary.utterances > 0
    assert [d for d, _, _ in sink.files_seen] == sorted(d for d, _, _ in sink.files_seen)
