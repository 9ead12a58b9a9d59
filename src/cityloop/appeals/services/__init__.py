"""The write path for appeals. Views, APIs, jobs and the CLI call these and nothing else."""

from cityloop.appeals.services.handling import (
    close,
    defer,
    merge,
    record_contact,
    reopen,
    reply,
    resume,
    send_back,
    sign_for,
)
from cityloop.appeals.services.intake import (
    AppealDraft,
    add_assist,
    categorize,
    dispatch,
    receive_appeal,
    redispatch,
    send_to_unit,
)
from cityloop.appeals.services.oversight import (
    decide_extension,
    request_extension,
    respond_supervision,
    scan_deadlines,
    supervise,
)
from cityloop.appeals.services.placing import locate

__all__ = [
    "AppealDraft",
    "add_assist",
    "categorize",
    "close",
    "decide_extension",
    "defer",
    "dispatch",
    "locate",
    "merge",
    "receive_appeal",
    "record_contact",
    "redispatch",
    "reopen",
    "reply",
    "request_extension",
    "respond_supervision",
    "resume",
    "scan_deadlines",
    "send_back",
    "send_to_unit",
    "sign_for",
    "supervise",
]
