"""The store's schema revisions, oldest first; each is applied once and never edited."""
