"""Hand-written tooling around the Videos API contract: overlays, generation, mock, conformance."""
