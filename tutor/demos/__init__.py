"""Live demos on the engine: a registry of named functions returning plain results."""
