"""CSS recording callbacks (event types 332 and 100) as evidence of what was really recorded."""
