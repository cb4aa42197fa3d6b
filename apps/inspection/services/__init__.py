"""Writes of labour inspection."""
