"""限时办结 (handling): what the responsible unit does — sign for, contact, reply,
defer, resume, attachments."""
