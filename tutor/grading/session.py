"""A lab session: one sandbox server + a workspace + an attempt in the store.

Every command (`tutor lab start/check/hint/...`, the TUI) goes through these functions, so the
learner's check and the instructor's grade are the same code. A session started by one process
is found again by another through the sandbox's state file.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.sandbox import AwsCli


from tutor.content import Catalog, Lab
from tutor.sandbox.registry import lab_home, state_dir_of, workspace_of

from .checks import CheckContext, Report, grade, hint_cost, kept_score


class LabError(Exception):
    """Something the learner can fix: an unknown lab, a lab not started, a failing setup."""


# -- where things live ------------------------------------------------------------

SETUP_TIMEOUT = 120.0  # seconds; a healthy setup takes well under one. Override: TUTOR_LAB_SETUP_TIMEOUT
IDLE_MINUTES = 120.0  # a lab nobody uses saves and stops after this. Override: TUTOR_LAB_IDLE_MINUTES


def _seconds_from_env(name: str, default: float, scale: float = 1.0) -> float:
    try:
        value = float(os.environ.get(name, "")) * scale
    except ValueError:
        return default
    return value if value > 0 else default


def find_lab(catalog: Catalog, lab_id: str) -> Lab:
    lab = catalog.labs.get(lab_id)
    if lab is None:
        known = ", ".join(sorted(catalog.labs)) or "none installed"
        raise LabError(f"there is no lab {lab_id!r}. Labs: {known}")
    return lab


# -- the context setup scripts and solutions run with ---------------------------------


class SolveContext:
    """What ``setup(ctx)`` and ``solve(ctx)`` get: the CLI and boto3 against the sandbox, and the workspace."""

    account_id = "123456789012"
    region = "us-east-1"

    def __init__(self, sandbox: Any, workspace: Path, lab_dir: Path) -> None:
        self.sandbox = sandbox
        self.workspace = workspace
        self.lab_dir = lab_dir
        self._cli: AwsCli | None = None

    def client(self, service: str) -> Any:
        return self.sandbox.client(service)

    def aws(self, command: str, check: bool = True) -> Any:
        """Run an AWS CLI command in the workspace; with ``check``, a failure raises LabError."""
        if self._cli is None:
            from tutor.sandbox import AwsCli

            self._cli = AwsCli(self.sandbox, cwd=self.workspace)
        result = self._cli.run(command)
        if check and result.exit_code != 0:
            raise LabError(f"`aws {command}` failed ({result.exit_code}): {result.stderr.strip()[:500]}")
        return result

    def aws_json(self, command: str) -> Any:
        import json

        out = self.aws(command).stdout
        return json.loads(out) if out.strip() else None

    def write(self, relative: str, text: str) -> Path:
        path = self.workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def _load_function(path: Path, name: str) -> Callable[..., Any]:
    spec = importlib.util.spec_from_file_location(f"tutor_lab_{abs(hash(str(path)))}_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise LabError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    func = getattr(module, name, None)
    if not callable(func):
        raise LabError(f"{path.name} defines no function {name}()")
    return func


# -- the session -----------------------------------------------------------------------


@dataclass
class LabSession:
    lab: Lab
    sandbox: Any
    workspace: Path
    attempt_id: int
    note: str = ""  # something the learner should hear about this start (e.g. a save that could not be read)

    def solve_context(self) -> SolveContext:
        return SolveContext(self.sandbox, self.workspace, self.lab.folder)

    def check_context(self) -> CheckContext:
        ctx = CheckContext(
            workspace=self.workspace,
            lab_dir=self.lab.folder,
            client_factory=lambda service: self.sandbox.client(service, grader=True),
        )
        ctx.sandbox = self.sandbox  # type: ignore[attr-defined]  # Python checks may read deployed Lambda code or run handlers
        return ctx

    def exports(self, base_path: str | None = None) -> dict[str, str]:
        """The variables of the lab's environment, with the `aws` shim first on PATH."""
        import sys

        from tutor.sandbox import lab_exports
        from tutor.sandbox.environment import write_aws_shim

        shims = write_aws_shim(self.sandbox.state_dir, sys.executable, Path(__file__).resolve().parents[2])
        path = os.environ.get("PATH", "") if base_path is None else base_path
        others = [entry for entry in path.split(os.pathsep) if entry and not _is_shim_dir(entry)]
        return {
            **lab_exports(self.sandbox.env()),
            "TUTOR_LAB": self.lab.id,
            "TUTOR_LAB_WORKSPACE": str(self.workspace),
            "PATH": os.pathsep.join([str(shims), *others]),
        }


def _is_shim_dir(entry: str) -> bool:
    """A lab's `aws` shim folder (…/labs/<lab>/sandbox/bin): a shell switching labs keeps only the new one."""
    from tutor.sandbox.environment import shim_dir

    folder = Path(entry)
    return folder == shim_dir(state_dir_of(folder.parent.parent.name)) if folder.name == "bin" else False


def run_setup(session: LabSession, timeout: float | None = None) -> None:
    """Create what the lab starts from: the declarative calls, then the setup script.

    A setup that does not finish within `timeout` (default SETUP_TIMEOUT) is abandoned with a
    clear LabError; the caller stops the sandbox, which also ends any request the setup is stuck in.
    """
    import threading

    if timeout is None:
        timeout = _seconds_from_env("TUTOR_LAB_SETUP_TIMEOUT", SETUP_TIMEOUT)
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            _run_setup_steps(session)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name=f"setup-{session.lab.id}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise LabError(
            f"lab {session.lab.id}: its setup did not finish within {timeout:.0f} s, so the lab was not started. "
            f"The setup ({session.lab.setup.script or 'setup calls'} in {session.lab.folder}) is stuck; "
            "if the machine is very busy, try again or raise TUTOR_LAB_SETUP_TIMEOUT."
        )
    if outcome:
        raise outcome[0]


def _run_setup_steps(session: LabSession) -> None:
    lab = session.lab
    for step in lab.setup.calls:
        service, method = step.call.split(".")
        try:
            getattr(session.sandbox.client(service), method)(**step.params)
        except Exception as exc:
            raise LabError(f"lab {lab.id}: setup call {step.call} failed: {exc}") from exc
    if lab.setup.script:
        _load_function(lab.folder / lab.setup.script, "setup")(session.solve_context())


def copy_starter(lab: Lab, workspace: Path) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    if lab.starter:
        source = lab.folder / lab.starter
        for path in source.rglob("*"):
            target = workspace / path.relative_to(source)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            elif not target.exists():  # never overwrite the learner's work
                shutil.copy2(path, target)


def start(catalog: Catalog, lab_id: str, *, fresh: bool = False) -> tuple[LabSession, str]:
    """Start the lab, resume its saved sandbox, or find it running. Returns (session, how), how being
    "started" (a new sandbox, set up), "resumed" (the saved sandbox, exactly as it was) or "running".

    The sandbox is detached: it runs until `tutor lab stop` or the idle timeout, whichever shell or
    app started it. Starting is exclusive per lab (a lock file), so two starts at once make one server.
    `fresh` throws the saved sandbox away (kept aside as saved.previous) and starts a new attempt.
    """
    lab = find_lab(catalog, lab_id)
    with _start_lock(lab_id):
        existing = attach_session(catalog, lab_id)
        if existing is not None and not fresh:
            return existing, "running"
        from tutor.sandbox import start_sandbox
        from tutor.sandbox.sandbox import SAVE_FILE

        state_dir = state_dir_of(lab_id)
        save_file = state_dir / SAVE_FILE
        if fresh:
            if existing is not None:
                existing.sandbox.stop()
            _set_aside(save_file)
            _finish_attempt(catalog, lab)
        resume = save_file.exists()
        sandbox = start_sandbox(
            state_dir,
            detach=True,
            save_file=save_file,
            restore=resume,
            idle_timeout=_seconds_from_env("TUTOR_LAB_IDLE_MINUTES", IDLE_MINUTES * 60, scale=60),
            preload=lab.services,
        )
        workspace = workspace_of(lab_id)
        copy_starter(lab, workspace)
        session = LabSession(lab, sandbox, workspace, _attempt_for(lab_id))
        state = sandbox.state()
        if resume and state.get("restored"):
            return session, "resumed"
        if resume:
            session.note = (
                f"your saved sandbox could not be read ({state.get('restore_error', 'unknown format')}); "
                f"it is kept in {state.get('kept', save_file)} and the lab starts over."
            )
        try:
            run_setup(session)
        except BaseException:
            sandbox.stop()
            raise
        return session, "started"


def _start_lock(lab_id: str) -> Any:
    """An exclusive lock per lab, held while a start looks for, starts and sets up its sandbox."""
    import fcntl
    from contextlib import contextmanager

    @contextmanager
    def locked() -> Any:
        home = lab_home(lab_id)
        home.mkdir(parents=True, exist_ok=True)
        with open(home / "start.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or when this process dies
            yield

    return locked()


def _set_aside(save_file: Path) -> None:
    try:
        os.replace(save_file, save_file.with_name("saved.previous.pickle"))
    except FileNotFoundError:
        pass


def _finish_attempt(catalog: Catalog, lab: Lab) -> None:
    """Close the lab's open attempt (a fresh start begins a new one)."""
    from tutor.store import labs as records

    attempt = records.lab_attempt(_attempt_for(lab.id))
    records.finish_lab_attempt(attempt.id)
    if attempt.checks_total and attempt.checks_passed < attempt.checks_total:
        lapse_linked_cards(catalog, lab)  # left with failing checks: review its topics again


def attach_session(catalog: Catalog, lab_id: str) -> LabSession | None:
    """The running session of a lab, from any process; None when its sandbox is not running."""
    from tutor.sandbox import attach

    lab = find_lab(catalog, lab_id)
    sandbox = attach(state_dir_of(lab_id))
    if sandbox is None:
        return None
    return LabSession(lab, sandbox, workspace_of(lab_id), _attempt_for(lab_id))


def require_session(catalog: Catalog, lab_id: str) -> LabSession:
    session = attach_session(catalog, lab_id)
    if session is None:
        from tutor.sandbox.sandbox import SAVE_FILE

        saved = " (your work is saved; starting resumes it)" if (state_dir_of(lab_id) / SAVE_FILE).exists() else ""
        raise LabError(f"lab {lab_id} is not running{saved}. Start it with `tutor lab start {lab_id}`.")
    return session


def resolve(catalog: Catalog, lab_id: str | None = None) -> str:
    """The lab a command is about: LAB, else $TUTOR_LAB, else the only running lab (see registry)."""
    from tutor.sandbox.registry import resolve_lab

    return resolve_lab(lab_id, known=catalog.labs)


def check(session: LabSession) -> Report:
    """Grade the current sandbox state and record the result with the attempt."""
    from tutor.store import labs as records

    attempt = records.lab_attempt(session.attempt_id)
    report = grade(session.lab, session.check_context(), attempt.hints_used, attempt.solution_viewed)
    kept = kept_score(report.score, attempt.score, attempt.status == "passed")
    if kept != report.score:
        report = replace(report, score=kept)
    records.record_lab_check(session.attempt_id, report)
    return report


def next_hint_cost(catalog: Catalog, lab_id: str) -> tuple[bool, str]:
    """(whether the learner should be asked first, what the next hint costs). Only the first hint of an
    attempt that has not passed asks: after that the learner knows the price."""
    from tutor.store import labs as records

    find_lab(catalog, lab_id)
    attempt = records.lab_attempt(_attempt_for(lab_id))
    passed = attempt.status == "passed"
    return (attempt.hints_used == 0 and not passed), hint_cost(attempt.hints_used, passed)


def hint(catalog: Catalog, lab_id: str) -> tuple[int, int, str]:
    """The next hint: (number, how many there are, text). Counted, and costs score."""
    from tutor.store import labs as records

    lab = find_lab(catalog, lab_id)
    used = records.use_hint(_attempt_for(lab_id), len(lab.hints))
    return used, len(lab.hints), lab.hints[used - 1]


def solution_cost(catalog: Catalog, lab_id: str) -> str:
    """What looking at the solution costs now, for the question asked first."""
    from tutor.store import labs as records

    find_lab(catalog, lab_id)
    if records.lab_attempt(_attempt_for(lab_id)).status == "passed":
        return "You have passed this lab: looking at the reference solution keeps your score."
    return "Viewing the solution sets this attempt's score to 0 (it is recorded)."


def solution(catalog: Catalog, lab_id: str) -> str:
    """The reference solution's source. Viewing it is recorded: the attempt scores 0, and the lab's
    review cards lapse (the learner could not finish it alone)."""
    from tutor.store import labs as records

    lab = find_lab(catalog, lab_id)
    attempt_id = _attempt_for(lab_id)
    if records.lab_attempt(attempt_id).status != "passed":  # looking after a pass is revision, not a lapse
        lapse_linked_cards(catalog, lab)
    records.mark_solution_viewed(attempt_id)
    return (lab.folder / lab.solution).read_text(encoding="utf-8")


def linked_questions(catalog: Catalog, lab: Lab) -> list[str]:
    """The questions a lab practises: those it names, and those of the lesson sections it teaches."""
    ids = list(lab.questions)
    for ref in lab.lessons:
        ids += [q.id for q in catalog.questions_for(ref)]
    return list(dict.fromkeys(ids))


def lapse_linked_cards(catalog: Catalog, lab: Lab) -> list[int]:
    """Labs feed review: cards the learner has seen for this lab's topics come back as lapses."""
    from tutor.srs.scheduler import lapse

    return lapse(linked_questions(catalog, lab), source="lab")


def apply_solution(session: LabSession) -> None:
    """Run the reference solution against the sandbox (CI self-tests, and "skip" in the TUI)."""
    _load_function(session.lab.folder / session.lab.solution, "solve")(session.solve_context())


def reset(session: LabSession) -> float:
    """Empty the sandbox and run the setup again. The workspace keeps the learner's files."""
    from tutor.store import labs as records

    started = time.perf_counter()
    session.sandbox.reset()
    run_setup(session)
    records.count_reset(session.attempt_id)
    return time.perf_counter() - started


def stop(catalog: Catalog, lab_id: str) -> bool:
    """Save the lab's sandbox and stop it; `start` resumes it. Returns False when it was not running.

    The attempt stays open: hints, resets and scores carry on when the lab resumes.
    """
    session = attach_session(catalog, lab_id)
    if session is None:
        return False
    session.sandbox.stop(save=True)
    return True


def watch(
    session: LabSession,
    on_report: Callable[[Report], None],
    *,
    interval: float = 0.5,
    stop_when: Callable[[], bool] = lambda: False,
) -> None:
    """Grade whenever the sandbox's state changes (and once at the start)."""
    last = None
    while not stop_when():
        changes = session.sandbox.changes()
        if changes != last:
            last = changes
            on_report(check(session))
        time.sleep(interval)


def _attempt_for(lab_id: str) -> int:
    from tutor.store import labs as records

    return records.open_lab_attempt(lab_id, datetime.now(UTC))


@dataclass
class SelfTest:
    lab: str
    untouched: Report
    solved: Report | None
    error: str | None = None

    @property
    def problems(self) -> list[str]:
        out = [f"check {c.id!r} passes on an untouched sandbox" for c in self.untouched.checks if c.passed]
        if self.error:
            out.append(self.error)
        if self.solved is not None:
            out += [
                f"check {c.id!r} fails after the reference solution: {c.message}"
                for c in self.solved.checks
                if not c.passed
            ]
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def selftest(catalog: Catalog, lab_id: str, sandbox: Any = None) -> SelfTest:
    """Grade the lab untouched (every check must fail), then solved (every check must pass).

    Runs in a private sandbox and workspace, never the learner's. Pass a running ``sandbox``
    to reuse it (it is reset first), as CI does to test every lab quickly.
    """
    import tempfile

    from tutor.sandbox import start_sandbox

    lab = find_lab(catalog, lab_id)
    with tempfile.TemporaryDirectory(prefix=f"tutor-selftest-{lab_id}-") as tmp:
        own = sandbox is None
        if own:
            sandbox = start_sandbox(Path(tmp) / "sandbox", preload=lab.services)
        else:
            sandbox.reset()
        try:
            workspace = Path(tmp) / "workspace"
            copy_starter(lab, workspace)
            session = LabSession(lab, sandbox, workspace, attempt_id=0)
            run_setup(session)
            untouched = grade(lab, session.check_context())
            try:
                apply_solution(session)
            except Exception as exc:  # noqa: BLE001 - report the broken solution, do not crash the run
                return SelfTest(lab_id, untouched, None, f"the reference solution failed: {exc}")
            return SelfTest(lab_id, untouched, grade(lab, session.check_context()))
        finally:
            if own:
                sandbox.stop()
