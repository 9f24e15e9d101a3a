"""The conversation, channel-neutral: commands, dialogs and replies, whatever the chat app."""
