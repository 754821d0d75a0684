"""Messaging channels (WhatsApp, SMS, Telegram), the outbox, the bridge between the assistant and
the channels, and the human agents' actions. Their lifespan is api/hub.py and their HTTP routes
live in api/routes/ (webhooks, console, desk, admin, notices); api/app.py includes them. Nothing
here imports the desk, the notices or the hub: what the bridge needs of them is handed in."""
