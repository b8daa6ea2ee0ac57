"""Who did it, as the lower apps (audit, notifications, webhooks) see a user.

The user model lives in parties, above them; they take any object with these attributes (a
parties.models.User in practice) and store its id, so they never import parties.
"""

from __future__ import annotations

from typing import Any, Protocol


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    def get_username(self) -> str: ...


class SuretyActor(Actor, Protocol):
    """A surety's staff member: the surety their change is audited under."""

    @property
    def surety_id(self) -> int | None: ...
