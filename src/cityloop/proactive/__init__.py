"""未诉先办: forecasts, proactive work orders and 每月一题 — work done before anyone calls."""
