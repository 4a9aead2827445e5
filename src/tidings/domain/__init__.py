"""Plain types, rules and errors. No I/O."""
