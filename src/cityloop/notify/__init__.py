"""通知 (notify): the citizen is told of every change that matters, by SMS and e-mail.

An event recorded on an appeal (appeals.events.event_recorded) writes its messages to the
outbox in the same transaction; the worker sends them after the commit, each once."""
