"""Storage: SQLAlchemy core tables, Alembic migrations and the tenant-scoped queries."""
