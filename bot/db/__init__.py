"""The one database every store shares (digests, and the stores later features add)."""
