"""What routes need, declared once as ``Annotated`` types: the worker's state and the caller from the token.

A route that takes ``Instructor`` can only be reached with the instructor token; one that takes ``Attendee``
only with an attendee token, and sees only that attendee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .security import same_hash, token_hash
from .state import ServerState
from .tables import attendee

bearer = HTTPBearer(auto_error=False, description="An attendee token (from join) or the instructor token.")


def _state(request: Request) -> ServerState:
    return request.app.state.server


State = Annotated[ServerState, Depends(_state)]


@dataclass(frozen=True)
class Caller:
    role: Literal["attendee", "instructor"]
    attendee_id: str = ""
    name: str = ""


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def _caller(state: State, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
    if credentials is None:
        raise _unauthorized("this needs a token: send 'Authorization: Bearer TOKEN'")
    digest = token_hash(credentials.credentials)
    if same_hash(digest, state.workshop.instructor_hash):
        caller = Caller("instructor")
    else:
        with state.reader.connect() as conn:
            row = conn.execute(
                sa.select(attendee.c.id, attendee.c.name, attendee.c.token_hash).where(
                    attendee.c.token_hash == digest, attendee.c.workshop_id == state.workshop.id
                )
            ).first()
        if row is None or not same_hash(row.token_hash, digest):
            raise _unauthorized("unknown or revoked token; join the workshop again")
        caller = Caller("attendee", row.id, row.name)
    allowed, retry_after = state.limits.allow(state.limits.token, digest)
    if not allowed:
        raise HTTPException(
            429, f"too many requests; try again in {retry_after} s", headers={"Retry-After": str(retry_after)}
        )
    return caller


Member = Annotated[Caller, Depends(_caller)]


def _attendee(caller: Member) -> Caller:
    if caller.role != "attendee":
        raise HTTPException(403, "this is for attendees: use the token that `tutor workshop join` stored")
    return caller


def _instructor(caller: Member) -> Caller:
    if caller.role != "instructor":
        raise HTTPException(403, "this needs the instructor token")
    return caller


Attendee = Annotated[Caller, Depends(_attendee)]
Instructor = Annotated[Caller, Depends(_instructor)]
