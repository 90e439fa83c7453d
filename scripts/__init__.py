"""The repository's scripts; a package so the tests can import what they check (contracts/)."""
