"""Hazard zones: setbacks from them, and whether a reconstruction site keeps clear of them."""
