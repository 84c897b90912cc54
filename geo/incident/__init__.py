"""The incident: its footprint, the population grid under it, who is exposed and displaced."""
