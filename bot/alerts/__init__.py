"""Recording alerts: channels subscribed to CSS recording callbacks, posted exactly once."""
