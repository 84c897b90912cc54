"""Request and response models of the HTTP API (CONTRACT §5)."""
