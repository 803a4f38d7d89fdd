"""Intake adapters. `parsing` holds the pure parse functions (no Django, no I/O); `intake_log` maps
their output to canonical readings and appends them; `mqtt`, `tcp_iw` and the HTTP push view are the
transports."""
