"""The program a Lambda handler runs in: `python -I -B lambda_runner.py REQUEST_FILE` (started by harness.py).

Standard library only, and nothing from `tutor`: it runs before, and beside, the learner's code.

1. It dies with its parent (PR_SET_PDEATHSIG), so a grader killed by SIGKILL or SIGHUP leaves nothing running.
2. Where the kernel allows unprivileged user namespaces it moves into new user, network and PID namespaces. The
   network namespace has only a loopback interface, so the handler has no route anywhere; a relay listening on
   127.0.0.1:<sandbox port> inside it hands each connection to the parent (a file descriptor over a Unix socket
   pair), which connects it to the real sandbox. The handler runs as PID 1 of the PID namespace, so when it ends
   the kernel kills every process it forked, daemonised or not.
3. Otherwise (or in addition) an audit hook in this very process refuses connections and name lookups other than
   the sandbox's loopback port, and refuses to start programs or load C libraries through ctypes, which could get
   around it. `python -I` skips sitecustomize, so the hook is installed here, before the handler is imported.
4. It tells the parent on the status pipe the moment it calls the handler, so the function's timeout counts from
   there as in Lambda, and it writes the answer to a file, so nothing the handler prints can be mistaken for it.
"""

import ctypes
import fcntl
import importlib
import json
import math
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import time
import traceback

PR_SET_PDEATHSIG = 1
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

_libc = ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent_pid):
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # it died before prctl took effect
        os._exit(1)


def enter_namespaces():
    """Private user, network and PID namespaces; returns why not, or None on success."""
    uid, gid = os.getuid(), os.getgid()
    if _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) != 0:
        return "unshare: " + os.strerror(ctypes.get_errno())
    try:
        with open("/proc/self/setgroups", "w") as out:
            out.write("deny")
        with open("/proc/self/uid_map", "w") as out:
            out.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as out:
            out.write(f"{gid} {gid} 1")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # bring up lo: a new netns has it down
            request = struct.pack("16sH22x", b"lo", 0)
            flags = struct.unpack("16sH22x", fcntl.ioctl(probe, SIOCGIFFLAGS, request))[1]
            fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))
    except OSError as error:
        return f"namespace set-up: {error}"
    return None


def relay(listener, to_parent, child_pid):
    """Hand every connection made inside the namespace to the parent until the handler's process ends, then end
    the same way it did."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    exit_fd = os.pidfd_open(child_pid)
    selector.register(exit_fd, selectors.EVENT_READ, "exit")
    while True:
        for key, _ in selector.select():
            if key.data == "exit":
                _, status = os.waitpid(child_pid, 0)
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1
                if code > 128:  # the handler's process died of signal code - 128: die of it too
                    signal.signal(code - 128, signal.SIG_DFL)
                    os.kill(os.getpid(), code - 128)
                os._exit(code)
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                socket.send_fds(to_parent, [b"c"], [connection.fileno()])


def install_guard(sandbox_port):
    """Refuse, inside this process and its forks, whatever could reach past the sandbox."""
    loopback_names = {"127.0.0.1", "localhost", "::1", b"127.0.0.1", b"localhost", b"::1", None}

    def refuse(what):
        raise PermissionError(f"[tutor] blocked: {what} (a lab handler can only reach the lab's sandbox)")

    def hook(event, args):
        if event == "socket.connect" or event == "socket.sendto" or event == "socket.sendmsg":
            sock, address = args[0], args[-1]
            family = getattr(sock, "family", None)
            inet = family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
            if inet and address[0] in ("127.0.0.1", "::1", "localhost") and address[1] == sandbox_port:
                return
            refuse(f"connection to {address!r}")
        elif event in (
            "socket.getaddrinfo",
            "socket.gethostbyname",
            "socket.gethostbyname_ex",
            "socket.gethostbyaddr",
            "socket.getnameinfo",
        ):
            host = args[0]
            if isinstance(host, tuple):
                host = host[0]
            if host not in loopback_names:
                refuse(f"name lookup of {host!r}")
        elif event in (
            "subprocess.Popen",
            "os.exec",
            "os.posix_spawn",
            "os.spawn",
            "os.system",
            "os.fork",
            "os.forkpty",
            "pty.spawn",
        ):
            refuse(f"starting a process ({event}); this machine cannot isolate a handler's processes")
        elif event == "ctypes.dlopen" or event == "ctypes.dlsym" or event == "ctypes.cdata":
            refuse("loading C code through ctypes")

    sys.addaudithook(hook)


def main():
    with open(sys.argv[1]) as source:
        request = json.load(source)
    die_with_parent(request["parent_pid"])
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU must not leave a core file in the code
    status = os.fdopen(request["status_fd"], "w")
    why_not = enter_namespaces() if request["namespaces"] else "not asked for"
    status.write("isolation %s\n" % ("namespaces" if why_not is None else "guard: " + why_not))
    status.flush()
    if why_not is None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", request["sandbox_port"]))
        listener.listen(64)
        to_parent = socket.socket(fileno=request["relay_fd"])
        alive_read, alive_write = os.pipe()
        init = os.fork()
        if init:
            os.close(alive_read)
            status.close()
            relay(listener, to_parent, init)
        # PID 1 of the namespace: when it ends, the kernel kills every process left in it
        watch_relay(alive_read, alive_write)
        listener.close()
        to_parent.close()
        worker = os.fork()
        if worker:
            status.close()
            _, code = os.waitpid(worker, 0)
            os._exit(128 + os.WTERMSIG(code) if os.WIFSIGNALED(code) else os.WEXITSTATUS(code))
        # the handler's own process; not PID 1, so SIGXCPU works as usual
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    elif request["guard"]:
        install_guard(request["sandbox_port"])
    run(request, status)


def watch_relay(alive_read, alive_write):
    """Die with the relay (the parent of PID 1); the pipe tells whether it is already gone."""
    os.close(alive_write)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.set_blocking(alive_read, False)
    try:
        if os.read(alive_read, 1) == b"":
            os._exit(1)
    except BlockingIOError:
        pass  # the relay still holds the write end: alive


class LambdaContext:
    def __init__(self, request, deadline):
        name = request["function_name"]
        self._deadline = deadline
        self.function_name = name
        self.function_version = request["function_version"]
        self.invoked_function_arn = request["function_arn"]
        self.memory_limit_in_mb = request["memory_mb"]
        self.aws_request_id = request["request_id"]
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = request["log_stream_name"]
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def failure(kind, message, trace):
    return {"ok": False, "error": {"type": kind, "message": message, "traceback": trace}}


def run(request, status):
    sys.stdin = open(os.devnull)  # noqa: SIM115 - for the rest of the process
    sys.path.insert(0, request["code_dir"])
    # CPU time: SIGXCPU at the soft limit, SIGKILL at the hard one (a ceiling for both phases that the handler's
    # code can only lower)
    cpu_cap = request["cpu_cap"]
    resource.setrlimit(resource.RLIMIT_CPU, (request["init_cpu"], cpu_cap))
    module_name, _, function_name = request["handler"].rpartition(".")
    module_name = module_name.replace("/", ".")
    started = time.perf_counter()
    try:
        if not module_name or not function_name:
            raise ValueError("handler must look like 'module.function', e.g. 'app.handler'")
        module = importlib.import_module(module_name)
    except Exception as error:
        payload = failure(
            "Runtime.ImportModuleError",
            f"Unable to import module '{module_name}': {error}",
            traceback.format_exc(),
        )
    else:
        handler = getattr(module, function_name, None)
        if not callable(handler):
            payload = failure(
                "Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'", ""
            )
        else:
            if request["cpu_seconds"] is None:
                resource.setrlimit(resource.RLIMIT_CPU, (cpu_cap, cpu_cap))
            else:
                soft = math.ceil(time.process_time() + request["cpu_seconds"])
                resource.setrlimit(resource.RLIMIT_CPU, (min(soft, cpu_cap - 1), min(soft + 1, cpu_cap)))
            called = time.monotonic()
            context = LambdaContext(request, called + request["timeout"])
            status.write(f"handler {called!r}\n")
            status.flush()
            started = time.perf_counter()
            try:
                value = handler(request["event"], context)
            except BaseException as error:
                kind = "Runtime.ExitError" if isinstance(error, SystemExit) else type(error).__name__
                payload = failure(kind, str(error), traceback.format_exc())
            else:
                try:
                    payload = {"ok": True, "result": json.loads(json.dumps(value))}
                except (TypeError, ValueError) as error:
                    payload = failure(
                        "Runtime.MarshalError", f"Unable to marshal response: {error}", traceback.format_exc()
                    )
    payload["duration_ms"] = (time.perf_counter() - started) * 1000
    sys.stdout.flush()
    sys.stderr.flush()
    tmp = request["result_file"] + ".tmp"
    with open(tmp, "w") as out:
        json.dump(payload, out)
    os.replace(tmp, request["result_file"])
    os._exit(0)  # no atexit handlers of the learner's code after the answer


if __name__ == "__main__":
    main()
