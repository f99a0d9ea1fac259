"""HTTP layer: participant pages, organizer console and the JSON API."""
