"""A chat turn from the raw request body, parsed in the worker: the HTTP process's short way for the hot routes.

On a two-core machine the HTTP process competes with the workers for CPU. FastAPI would parse and validate a
turn's body (a state token of up to a megabyte and the input) in the HTTP process and pickle the model to a
worker; here the worker parses the bytes with the same pydantic models and does the turn. A body they refuse
comes back as None, before anything happened, and the HTTP process takes the long way (FastAPI), which answers
with the same problem details as always.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError

from .api import ChatInput, check_input, take_turn_json
from .token import StateSealer


class TokenTurn(BaseModel):
    """One turn in token mode: the state from the previous reply (none to start) and the new input."""

    model_config = {"extra": "forbid"}

    state: str | None = Field(default=None, description="the `state` of the previous reply; omit to start")
    input: ChatInput = Field(default_factory=ChatInput, description="what the user said, answered or uploaded")


def take_turn_raw(
    sealer: StateSealer, state: str | None, body: bytes, max_state_chars: int | None, token_mode: bool
) -> tuple[str, bytes] | None:
    """take_turn_json on a raw body (a TokenTurn in token mode, else a ChatInput); None when it does not validate.

    In token mode the state comes from the body, else it is the session's (`state`).
    """
    try:
        if token_mode:
            turn = TokenTurn.model_validate_json(body)
            state, data = turn.state, turn.input
        else:
            data = ChatInput.model_validate_json(body)
    except ValidationError:
        return None
    check_input(data)
    return take_turn_json(sealer, state, data, max_state_chars)
