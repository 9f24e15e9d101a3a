"""What users read: chat answers rendered from summaries through the text catalog."""
