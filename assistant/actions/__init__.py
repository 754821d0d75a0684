"""The confirmation protocol's side of the turn loop (CONTRACT §4): the explicit yes or no to an
open quote (`confirmation`), the turn loop's view of pending actions (`pending`), the desk over
the real action store and executor in tools/ (`desk`).

May import: tools/, the assistant's shared modules (events, recorder); never `assistant.turn` or
`assistant.service`."""
