"""Proactive notices (docs/notices.md): triggers decide who hears what (`audience`, `publish`,
`policy`: consent, quiet hours, the daily cap), BSS state changes become notices
(`bss_events`), the worker sends what is due exactly once (`dispatch`, each notice put on its
conversation by `posting`), STOP/START are honoured on SMS and WhatsApp (`keywords`, handed to
the channel bridge by api/hub.py).

Import the modules themselves: the package re-exports nothing."""
