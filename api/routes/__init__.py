"""HTTP routes: parse a request, call a use case, serialise the answer."""
