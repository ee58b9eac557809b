"""The real AWS CLI (the `awscli` package), run against the sandbox.

`AwsCli(sandbox).run("s3api list-buckets")` runs in-process (the TUI console: ~15-30 ms warm)
and captures the CLI's own output. `run_aws_subprocess(sandbox, args)` runs the same driver in
a child process attached to the terminal (`tutor aws ...`).

Isolation does not rely on os.environ: each command gets a fresh botocore session built from
the sandbox environment (see _boto.py), the endpoint is passed explicitly as --endpoint-url
(awscli ignores AWS_ENDPOINT_URL for sqs and for rds in us-east-1, see
awscli.customizations.overridesslcommonname), and a `before-send` hook refuses any URL that is
not loopback.
"""

from __future__ import annotations

import io
import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sandbox import Sandbox

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Loggers that `aws --debug` (and every command, for 'awscli') attach handlers to.
_CLI_LOGGERS = ("", "awscli", "botocore", "s3transfer", "urllib3")


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


# ------------------------------------------------------------------ driver construction

_shared: dict[str, Any] = {}
_shared_lock = threading.Lock()


def _awscli_modules() -> dict[str, Any]:
    """Import awscli once, after the site-packages botocore and s3transfer.

    Importing `awscli` installs an import hook that serves its vendored copies of botocore and
    s3transfer to any *later* `import botocore` / `import s3transfer`. Importing them first
    pins the process to the site-packages versions, so boto3 clients (grading) and the CLI
    share one botocore.
    """
    with _shared_lock:
        if not _shared:
            _pin_site_botocore()
            import awscli
            import awscli.clidriver
            import awscli.plugin

            _shared["awscli"] = awscli
            _shared["data_path"] = os.path.join(os.path.dirname(awscli.__file__), "data")
            _shared["loader"] = None
        return _shared


def _pin_site_botocore() -> None:
    import botocore.session  # noqa: F401
    import s3transfer  # noqa: F401


def _new_session(env: Mapping[str, str]) -> Any:
    """A fresh botocore session for one command, sharing the parsed-model cache."""
    mods = _awscli_modules()
    awscli = mods["awscli"]
    from ._boto import sandbox_botocore_session

    env = dict(env)
    env["AWS_DATA_PATH"] = mods["data_path"]  # where awscli keeps cli.json
    session = sandbox_botocore_session(env, awscli.EnvironmentVariables)
    with _shared_lock:
        # The loader caches every JSON model it parses; sharing it is what makes a fresh
        # session per command cheap (~15 ms instead of ~70 ms).
        if mods["loader"] is None:
            mods["loader"] = session.get_component("data_loader")
        else:
            session.register_component("data_loader", mods["loader"])
    return session


def _new_driver(env: Mapping[str, str]) -> Any:
    _awscli_modules()  # first: it decides which botocore awscli gets
    import awscli.clidriver
    import awscli.plugin

    session = _new_session(env)
    awscli.clidriver._set_user_agent_for_session(session)
    # No plugins from any config file: only awscli's built-in handlers.
    awscli.plugin.load_plugins({}, event_hooks=session.get_component("event_emitter"))
    return awscli.clidriver.CLIDriver(session=session)


class _PlainHelpRenderer:
    """`aws ... help` as plain text on sys.stdout, instead of groff piped into `less`."""

    def render(self, contents: bytes | str) -> None:
        from awscli.help import WindowsHelpRenderer

        text = WindowsHelpRenderer()._convert_doc_content(contents)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        sys.stdout.write(text + "\n")


# ------------------------------------------------------------------ output capture


class _Capture:
    """sys.stdout/sys.stderr/sys.stdin stand-ins for the duration of one command.

    Writes from the command's thread, and from threads it starts (s3 transfers print from a
    worker thread), go to the capture; any other thread of the host (the TUI) keeps writing
    to the stream it had.
    """

    def __init__(self, stdin: bytes) -> None:
        self.owner = threading.get_ident()
        self.before = {t.ident for t in threading.enumerate()} - {self.owner}
        self.out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
        self.err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
        self.inp = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")

    def mine(self) -> bool:
        return threading.get_ident() not in self.before

    @staticmethod
    def text(stream: io.TextIOWrapper) -> str:
        stream.flush()
        return stream.buffer.getvalue().decode("utf-8", "replace")  # type: ignore[attr-defined]


class _Routed:
    def __init__(self, capture: _Capture, mine: io.TextIOWrapper, other: Any) -> None:
        self._capture = capture
        self._mine = mine
        self._other = other if other is not None else io.StringIO()

    def _target(self) -> Any:
        return self._mine if self._capture.mine() else self._other

    def write(self, text: str) -> int:
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:
        self._target().writelines(lines)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False if self._capture.mine() else self._other.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)


def _snapshot_loggers() -> list[tuple[logging.Logger, int, list[logging.Handler]]]:
    return [(log, log.level, list(log.handlers)) for log in (logging.getLogger(name) for name in _CLI_LOGGERS)]


def _restore_loggers(snapshot: list[tuple[logging.Logger, int, list[logging.Handler]]]) -> None:
    for log, level, handlers in snapshot:
        log.setLevel(level)
        log.handlers[:] = handlers


# ------------------------------------------------------------------ the runner


def _split(command: str | Sequence[str]) -> list[str]:
    args = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if args and args[0] == "aws":
        args = args[1:]
    return args


class AwsCli:
    """The real awscli, in-process, bound to one sandbox. One command at a time."""

    def __init__(self, sandbox: Sandbox, *, cwd: Path | str | None = None) -> None:
        self.sandbox = sandbox
        self.cwd = Path(cwd) if cwd is not None else None
        self._lock = threading.Lock()
        self._completer: Any = None
        self._env: dict[str, str] | None = None

    def _sandbox_env(self) -> dict[str, str]:
        if self._env is None:
            self._env = self.sandbox.env()
        return self._env

    def run(self, command: str | Sequence[str], *, stdin: bytes | str = b"") -> CliResult:
        """Run `aws COMMAND` against the sandbox. Never raises: errors are CliResults.

        `command` is a string (split like a shell would) or a list of arguments; a leading
        "aws" is optional. Paths in arguments (file://policy.json) are relative to `cwd`.
        """
        try:
            args = _split(command)
        except ValueError as error:  # e.g. an unclosed quote
            return CliResult(2, "", f"aws: error: {error}\n")
        if isinstance(stdin, str):
            stdin = stdin.encode()
        with self._lock:
            result = self._run_locked(args, stdin)
        if result.exit_code and "Could not connect to the endpoint URL" in result.stderr and not self.sandbox.alive():
            result = CliResult(
                result.exit_code,
                result.stdout,
                result.stderr + "The lab sandbox is not running. Start the lab again with `tutor lab start`.\n",
            )
        return result

    def _run_locked(self, args: list[str], stdin: bytes) -> CliResult:
        capture = _Capture(stdin)
        saved = sys.stdout, sys.stderr, sys.stdin
        saved_argv = sys.argv
        loggers = _snapshot_loggers()
        old_cwd = None
        exit_code = 255
        try:
            driver = self._driver()
            sys.stdout = _Routed(capture, capture.out, saved[0])
            sys.stderr = _Routed(capture, capture.err, saved[1])
            sys.stdin = _Routed(capture, capture.inp, saved[2])
            sys.argv = ["aws", *args]  # argparse names the program after argv[0]
            if self.cwd is not None:
                old_cwd = os.getcwd()
                os.chdir(self.cwd)
            exit_code = driver.main(["--endpoint-url", self.sandbox.endpoint, *args])
        except SystemExit as stop:  # argparse errors, `aws help` ...
            exit_code = _exit_code(stop.code, capture.err)
        except KeyboardInterrupt:
            exit_code = 130
        except BaseException:  # nothing escapes: awscli handles its own errors, so this is
            capture.err.write(traceback.format_exc())  # a bug, and the traceback says where
            exit_code = 255
        finally:
            sys.stdout, sys.stderr, sys.stdin = saved
            sys.argv = saved_argv
            _restore_loggers(loggers)
            if old_cwd is not None:
                os.chdir(old_cwd)
        if not isinstance(exit_code, int):
            exit_code = 0 if exit_code is None else 255
        return CliResult(exit_code, capture.text(capture.out), capture.text(capture.err))

    def _driver(self) -> Any:
        _awscli_modules()  # before anything imports awscli (see there)
        _install_plain_help()
        return _new_driver(self._sandbox_env())

    def warm(self, services: Sequence[str] = ()) -> None:
        """Pay the first-command costs now (awscli import, parsing `services`' API models),
        e.g. in a worker thread while the learner reads the handout."""
        with self._lock:
            driver = self._driver()
            for service in services:
                try:
                    driver.session.get_service_model({"s3api": "s3"}.get(service, service))
                except Exception:
                    pass  # an unknown name just stays cold

    def complete(self, prefix: str) -> list[str]:
        """Completions for the last word of `prefix`: services, operations, then --options.

        "s3a" -> ["s3api"]; "s3api put-bucket-v" -> ["put-bucket-versioning", ...];
        "s3api put-bucket-versioning --b" -> ["--bucket"].
        """
        words = prefix.split()
        if words and words[0] == "aws":
            words = words[1:]
        current = "" if prefix.endswith(" ") or not words else words[-1]
        line = " ".join(["aws", *words])
        if prefix.endswith(" ") and len(words) >= 2:
            line += " --"  # after "service operation ": offer its options
            current = "--"
        try:
            with self._lock:
                if self._completer is None:
                    _awscli_modules()
                    import awscli.completer  # only the TUI console completes; the CLI never pays for it

                    self._completer = awscli.completer.Completer(_new_driver(self._sandbox_env()))
                found = self._completer.complete(line)
        except Exception:
            return []
        return sorted(word for word in set(found or []) if word.startswith(current))


def _exit_code(code: Any, err: io.TextIOWrapper) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    err.write(f"{code}\n")
    return 1


_help_installed = False


def _install_plain_help() -> None:
    """Help goes to the captured stdout as text: no groff, no pager, no terminal takeover."""
    global _help_installed
    if not _help_installed:
        import awscli.help

        awscli.help.get_renderer = _PlainHelpRenderer
        _help_installed = True


# ------------------------------------------------------------------ `tutor aws ARGS...`


def run_aws_subprocess(sandbox: Sandbox, args: Sequence[str]) -> int:
    """Run `aws ARGS` against the sandbox in a child process attached to this terminal.

    The child runs the same isolated driver as `AwsCli` (fresh sandbox-only session, endpoint
    forced, loopback guard) but with the real terminal: help pages through `less`, colour
    and interactive prompts (`aws configure`) behave as with a normal `aws`.
    Returns the CLI's exit code.
    """
    env = sandbox.env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "tutor.sandbox.aws_cli", *_split(list(args))]
    if threading.current_thread() is not threading.main_thread():
        return subprocess.call(command, env=env)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the child's to handle
    try:
        return subprocess.call(command, env=env)
    finally:
        signal.signal(signal.SIGINT, previous)


def run_for_lab(args: Sequence[str]) -> int:
    """`tutor aws [--lab LAB] ARGS...` and the lab's `aws` shim: run the CLI in this process.

    The lab is the active one (see registry.resolve_lab); its sandbox is found at run time, so
    an exported environment keeps working after a stop and start. Only what plain `aws` needs is
    imported, so this costs no more than plain `aws` does.
    """
    from .errors import SandboxError
    from .registry import resolve_lab, state_dir_of
    from .sandbox import SAVE_FILE, attach

    lab, rest = _lab_option(list(args))
    try:
        lab_id = resolve_lab(lab)
    except SandboxError as error:
        sys.stderr.write(f"tutor aws: {error}\n")
        return 2
    state_dir = state_dir_of(lab_id)
    sandbox = attach(state_dir)
    if sandbox is None:
        saved = " (your work is saved; starting resumes it)" if (state_dir / SAVE_FILE).exists() else ""
        sys.stderr.write(f"tutor aws: lab {lab_id} is not running{saved}. Start it with `tutor lab start {lab_id}`.\n")
        return 2
    env = sandbox.env()
    os.environ.clear()  # this process is the CLI now: nothing of the host's AWS settings stays in reach
    os.environ.update(env)
    driver = _new_driver(env)
    try:
        return int(driver.main(["--endpoint-url", sandbox.endpoint, *rest]) or 0)
    except KeyboardInterrupt:
        return 130


def _lab_option(args: list[str]) -> tuple[str | None, list[str]]:
    """`--lab LAB` / `--lab=LAB` in front of the AWS CLI's own arguments."""
    if args and args[0] == "--lab" and len(args) > 1:
        return args[1], args[2:]
    if args and args[0].startswith("--lab="):
        return args[0].split("=", 1)[1], args[1:]
    return None, args


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m tutor.sandbox.aws_cli [--lab-shim] ARGS`.

    With --lab-shim (the lab's `aws`), the lab is resolved as `tutor aws` does. Without it, the
    sandbox is the one in AWS_ENDPOINT_URL (run_aws_subprocess's child).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--lab-shim"]:
        return run_for_lab(args[1:])
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    from .environment import is_loopback_url

    if not is_loopback_url(endpoint):
        sys.stderr.write("tutor aws: no lab sandbox in this environment. Start a lab with `tutor lab start`.\n")
        return 2
    driver = _new_driver(os.environ)
    try:
        return driver.main(["--endpoint-url", endpoint, *args])
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
