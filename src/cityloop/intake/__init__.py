"""受理 (intake): every channel → one AppealDraft → receive_appeal;
understanding at intake; duplicates."""
