"""Domain errors raised by services; portals turn them into form errors or 4xx."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleViolation:
    """One broken business rule, attached to the form field it concerns."""

    field: str
    message: str


class DomainError(Exception):
    """A request that the current state or the rules do not allow.

    `violations` lists every broken rule so that a form can show each one
    beside its field; nothing has been written when this is raised.
    """

    def __init__(self, message: str, violations: list[RuleViolation] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.violations = violations or []

    def __str__(self) -> str:
        if not self.violations:
            return self.message
        return self.message + " " + " ".join(v.message for v in self.violations)


class InvalidStateError(DomainError):
    """The object is not in a state that allows this action."""


class NotFound(Exception):
    """What was asked for does not exist here (a version, a number): every portal answers 404.

    Not a DomainError, so a view's ``except DomainError`` (a refused action, shown as a message)
    never swallows it; web.middleware.NotFoundMiddleware and the API's handler turn it into 404.
    """


class NotPermitted(DomainError):
    """The user may not take this action (role, organisation, branch or the four-eyes rule)."""
