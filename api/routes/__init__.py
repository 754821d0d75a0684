"""HTTP routes: conversations, sessions and demo identity, health."""
