"""Loaded by every Python process started with this folder on PYTHONPATH (the sandbox server too).

Any connection or name lookup that is not loopback is refused and written to $TUTOR_LEAK_LOG, so a
leak fails loudly instead of reaching the network.
"""

import ipaddress
import os
import socket

LOG = os.environ.get("TUTOR_LEAK_LOG")
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def is_local(host) -> bool:
    if host is None:
        return True
    host = host.decode() if isinstance(host, bytes) else str(host)
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def refuse(what: str) -> None:
    if LOG:
        with open(LOG, "a") as f:
            f.write(f"{os.getpid()} {what}\n")
    raise ConnectionRefusedError(f"leak guard: refused non-loopback {what}")


def check_address(address) -> None:
    if isinstance(address, tuple) and address and not is_local(address[0]):
        refuse(f"connect {address[0]}:{address[1] if len(address) > 1 else ''}")


if LOG:
    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            check_address(address)
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            check_address(address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kw):
        if not is_local(host):
            refuse(f"lookup {host}")
        return _getaddrinfo(host, *args, **kw)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
