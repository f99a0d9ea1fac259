"""Application layer: uses db.session and the domain, owns each commit, sees no request."""
