"""Scheduled digests: subscriptions (store), when they are due (schedule), what they show
(content, message), and the loop every `recbot serve` replica runs to post each slot once."""
