"""Domain errors: a stable machine code plus a message in the user's language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused request. Raised before anything is written, or inside the transaction
    that is then rolled back, so a refusal never changes anything."""

    status = 400

    def __init__(self, code: str, message: str | Promise, /, **params: Any) -> None:
        self.code = code
        self.template = message
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(self.template)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    """Someone else changed the record since the caller read it."""

    status = 409


class TooManyRequests(DomainError):
    """A throttle refused the attempt (cityloop.kernel.throttle); retry_after is in seconds."""

    status = 429

    def __init__(self, message: str | Promise, /, *, retry_after: int, **params: Any) -> None:
        super().__init__("too_many_requests", message, **params)
        self.retry_after = retry_after


def invalid_field(field_name: str, message: str | Promise, /, **params: Any) -> DomainError:
    """`invalid_<field>`, naming the field so a form shows the message beside it."""
    error = DomainError(f"invalid_{field_name}", message, **params)
    error.params.setdefault("field", field_name)
    return error
