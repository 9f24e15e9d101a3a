"""The bot's own HTTP side: short-lived links to the charts and files it sends (for Zalo)."""
