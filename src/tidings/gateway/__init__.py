"""The WebSocket gateway at /ws: a sans-I/O protocol core and the route that moves bytes."""
