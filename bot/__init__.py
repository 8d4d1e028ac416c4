"""studybot: the chat-agnostic core. Nothing here imports a chat platform's SDK."""
