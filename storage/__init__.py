"""SQLite storage through sqlite-utils: schema, migrations, queries."""
