"""One assistant turn: the loop that streams a turn's events (`loop`), what a turn is made of
(`request`), the customer's decision on an open quote before any model runs (`decision`), the
prompt and the history within its token budget (`prompts`, `memory`), the agent middlewares
(`framing`, `provenance`), reading tool results (`reading`), fixed replies (`replies`) and the
end of a turn — guardrails, confidence, handoff, `turn.completed` (`finish`); a playbook
journey's part of the turn (`journey`) and its hands, the tool calls it makes (`journey_hands`).

May import: `assistant.actions`, `assistant.handoff`, `assistant.local` (the money parser),
`assistant.playbooks` (the journeys), and the assistant's shared modules (events, guardrails,
language, models); never `assistant.service`."""
