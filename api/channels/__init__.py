"""Messaging channels (WhatsApp, SMS, Telegram), the outbox, the bridge between the assistant and
the channels, BSS notifications and the human agents' actions. Their HTTP routes live in
api/routes/ (webhooks, console, desk, admin, notices); api/app.py includes them."""
