"""One module per `recbot` subcommand; each is a thin shell over the core."""
