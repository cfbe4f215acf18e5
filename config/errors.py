"""Errors a user can act on. Each carries one clear line of text; one place renders them."""

from __future__ import annotations


class HotlineError(Exception):
    """Base of every error shown to a user (CLI: one line on stderr, exit 2; HTTP: 4xx JSON)."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(HotlineError):
    """A setting is missing or wrong; start-up stops."""


class NotFound(HotlineError):
    status_code = 404


class InvalidInput(HotlineError):
    status_code = 422


class Conflict(HotlineError):
    status_code = 409


class Forbidden(HotlineError):
    """The acting staff member's role does not allow this."""

    status_code = 403
