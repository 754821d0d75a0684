"""Proactive notices (docs/notices.md): triggers decide who hears what (`audience`, `publish`,
`policy`: consent, quiet hours, the daily cap), the worker sends what is due exactly once
(`dispatch`), STOP/START are honoured on SMS and WhatsApp (`keywords`).

Import the modules themselves: this package is imported by the channel bridge, which the
modules import in turn (the delivery helpers), so it re-exports nothing."""
