"""Roads: speeds, the routable network, closures, and travel over the open roads."""
