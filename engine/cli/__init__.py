"""The `wargame` command: argument parsing, calls into the package, exit codes."""
