"""Shelters: which may open, who goes where, and who is within reach of one."""
