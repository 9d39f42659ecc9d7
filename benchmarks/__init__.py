"""Benchmarks: Taskforce against Qt's QSqlTableModel on the same database (`make bench`)."""
