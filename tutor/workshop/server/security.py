"""Tokens, join codes and rate limits: every security decision of the server in one place.

Tokens are 256 random bits; only their SHA-256 digests are stored, and digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

TOKEN_BYTES = 32  # 256 bits
# No 0/O, 1/I/L: a code read off a projector at the back of the room is typed right the first time.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8, about 2**40; with joins rate-limited per address, not guessable during a workshop


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))


def new_join_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normal_code(code: str) -> str:
    """What a person typed, without spaces and dashes, upper case: "k7qx m2pd" -> "K7QXM2PD"."""
    return "".join(c for c in code.upper() if c.isalnum())


def code_matches(typed: str, code: str) -> bool:
    return hmac.compare_digest(normal_code(typed).encode(), normal_code(code).encode())


class RateLimits:
    """Moving-window limits kept in the worker's memory (the `limits` library).

    Each worker counts on its own, so with N workers behind a load balancer a client gets at most N times the
    limit; that bounds abuse, which is the point, without a shared store.
    """

    def __init__(self, join: str, token: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self.join: RateLimitItem = parse(join)
        self.token: RateLimitItem = parse(token)

    def allow(self, item: RateLimitItem, key: str) -> tuple[bool, int]:
        """(allowed, seconds until the window has room again)."""
        if self._limiter.hit(item, key):
            return True, 0
        stats = self._limiter.get_window_stats(item, key)
        return False, max(1, int(stats.reset_time - time.time()) + 1)
