"""The REST API: parse, authenticate, call an action, shape the reply."""
