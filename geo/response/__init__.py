"""The response: the level figures call for, an incident's report history and its deadlines."""
