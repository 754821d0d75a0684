"""Playbooks: guided journeys written in YAML (docs/playbooks.md, ADR 0050). The format
(`format`), its loader and checks (`loader`, `checks`: a bad file refused with file:line), slot
types over the local engine's extractors (`slot_types`), triggers, repair, the executor and the
journey's state in the event log (`state`); a Mermaid view (`diagram`).

    library = load_for(settings.playbooks_dir)   # the shipped ones and the operator's
    name = library.match("my phone turned up, unblock it")        # "found_phone"

May import: `assistant.actions` (the yes/no recogniser), `assistant.local` (slot extractors),
`assistant.handoff` (signals) and the shared modules; never `assistant.turn` or
`assistant.service` (the turn's part is `assistant/turn/journey.py`)."""
