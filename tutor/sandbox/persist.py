"""Save and restore a sandbox's whole state: every moto backend in use, pickled.

Runs inside the sandbox server process (see server.py). Pickling the backends keeps everything a
learner built exactly as it was: resource ids, ARNs, timestamps, object bodies, queue messages,
Lambda zips. Replaying recorded requests would regenerate ids and timestamps and re-run the
grader's probes, so it cannot promise "the same resources with the same ids".

A request in flight while we pickle could change a dict under our feet, so `RequestGate` lets a
save wait until no request is being served, and holds new ones back while it writes.
"""

from __future__ import annotations

import collections
import os
import pickle
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when the saved layout changes; an unknown format is ignored, never half-loaded


class RequestGate:
    """Requests pass freely and concurrently; a save waits until none is in flight.

    Reader preference on purpose: a Lambda invoke whose handler calls back into the sandbox is a
    request waiting on a nested request, so a save must never block a request while others run.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._saving = False

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._cond:
            while self._saving:
                self._cond.wait()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self, wait: float | None = None) -> Iterator[bool]:
        """Yields True once no request is in flight (new ones wait), False if `wait` ran out."""
        with self._cond:
            got = self._cond.wait_for(lambda: self._active == 0 and not self._saving, timeout=wait)
            if got:
                self._saving = True
        try:
            yield bool(got)
        finally:
            if got:
                with self._cond:
                    self._saving = False
                    self._cond.notify_all()


def _backends_in_use() -> list[tuple[str, str, dict[str, dict[str, Any]]]]:
    """(module, attribute, {account: {region: backend}}) for every moto BackendDict holding state."""
    from moto.core.base_backend import BackendDict

    found = []
    for backend_dict in list(BackendDict._instances):  # type: ignore[misc]  # moto's registry of live backends
        module_name = backend_dict.backend.__module__
        module = sys.modules.get(module_name)
        attribute = (
            next((name for name, value in vars(module).items() if value is backend_dict), None)
            if module is not None
            else None
        )
        if attribute is None:
            continue  # not reachable by name, so moto cannot look it up either
        regions = {account: dict(dict.items(per_account)) for account, per_account in dict.items(backend_dict)}
        found.append((module_name, attribute, regions))
    return found


# -- what plain pickle cannot carry: locks, weak containers, key objects ----------------------


def _is_local(function: Any) -> bool:
    return function is not None and "<" in getattr(function, "__qualname__", "")  # <lambda>, <locals>


def _new_lock() -> Any:
    return threading.Lock()


def _new_rlock() -> Any:
    return threading.RLock()


def _weak_values(items: dict[Any, Any]) -> Any:
    import weakref

    return weakref.WeakValueDictionary(items)


def _weak_keys(items: dict[Any, Any]) -> Any:
    import weakref

    return weakref.WeakKeyDictionary(items)


def _weak_set(items: list[Any]) -> Any:
    import weakref

    return weakref.WeakSet(items)


def _private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


def _public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem)


def _certificate(pem: bytes) -> Any:
    from cryptography import x509

    return x509.load_pem_x509_certificate(pem)


class _StatePickler(pickle.Pickler):
    """pickle, plus a recipe for each kind of object moto keeps that pickle refuses.

    A lock comes back new and unlocked (nothing holds it while we save); weak containers come
    back with the same entries; keys and certificates travel as PEM.
    """

    _LOCK = type(threading.Lock())
    _RLOCK = type(threading.RLock())

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is self._LOCK:
            return _new_lock, ()
        if kind is self._RLOCK:
            return _new_rlock, ()
        if kind is collections.defaultdict and _is_local(obj.default_factory):
            return self._defaultdict(obj)
        module = kind.__module__ or ""
        if module == "weakref" or module == "_weakrefset":
            import weakref

            if isinstance(obj, weakref.WeakValueDictionary):
                return _weak_values, (dict(obj.items()),)
            if isinstance(obj, weakref.WeakKeyDictionary):
                return _weak_keys, (dict(obj.items()),)
            if isinstance(obj, weakref.WeakSet):
                return _weak_set, (list(obj),)
        if module.startswith("cryptography."):
            return self._crypto(obj)
        return NotImplemented

    @staticmethod
    def _defaultdict(obj: Any) -> Any:
        # moto writes `defaultdict(lambda: {})`; a lambda cannot be pickled, the container type it makes can
        made = obj.default_factory()
        if type(made) in (dict, list, set, int) and not made:
            return collections.defaultdict, (type(made),), None, None, iter(obj.items())
        return NotImplemented

    @staticmethod
    def _crypto(obj: Any) -> Any:
        from cryptography.hazmat.primitives import serialization

        pem = serialization.Encoding.PEM
        if hasattr(obj, "private_bytes") and hasattr(obj, "public_key"):
            return _private_key, (
                obj.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
            )
        if hasattr(obj, "public_bytes") and hasattr(obj, "fingerprint"):
            return _certificate, (obj.public_bytes(pem),)
        if hasattr(obj, "public_bytes"):
            return _public_key, (obj.public_bytes(pem, serialization.PublicFormat.SubjectPublicKeyInfo),)
        return NotImplemented


def dumps(value: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def save(path: Path) -> int:
    """Write the state to `path` atomically; returns its size in bytes."""
    data = dumps({"format": FORMAT, "backends": _backends_in_use()})
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return len(data)


def restore(path: Path) -> bool:
    """Load a state written by `save` into this process's moto backends. False when there is none."""
    import importlib

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return False
    state = pickle.loads(data)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        return False
    for module_name, attribute, regions in state["backends"]:
        backend_dict = getattr(importlib.import_module(module_name), attribute)
        for account, per_region in regions.items():
            per_account = backend_dict[account]  # creates the account entry and registers it for reset
            for region, backend in per_region.items():
                dict.__setitem__(per_account, region, backend)
    return True
