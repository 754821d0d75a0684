"""Fakes for tests: a scripted chat model and a fake OpenAI-compatible server."""
