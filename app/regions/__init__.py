"""Prefectures and municipalities stored in the database, loaded from app.reference."""
