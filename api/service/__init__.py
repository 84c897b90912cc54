"""Use cases shared by the HTTP routes and the command line."""
