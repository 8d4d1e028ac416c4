"""F3: reviewing answers. The rubric reviewer (offline), the LLM reviewer (any
OpenAI-compatible endpoint) and peer-review assignment, all free of chat and storage."""
