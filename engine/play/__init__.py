"""Classroom play: a Game at one replication that teams decide for, and the terminal exercise."""
