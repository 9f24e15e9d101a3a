"""The Zalo channel: a typed Bot API client, inbound updates to inputs, outbox rows to sends."""
