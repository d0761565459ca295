"""The scenarios that ship with wargame, as TOML files (package data; `wargame scenarios` lists them)."""
