"""The HTTP API and the command line of reliefgis: parse, call geo/ and layers/, serialise."""
