"""Pure spatial and decision analytics for reliefgis (no file, network or settings access)."""
