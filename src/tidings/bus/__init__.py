"""Moving events between the actions that cause them and the connections that show them."""
