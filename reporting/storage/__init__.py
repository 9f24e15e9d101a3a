"""Storage: the ORM models and the engine; the migrations live in reporting/migrations."""
