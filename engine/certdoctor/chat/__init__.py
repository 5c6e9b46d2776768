"""Embedding certdoctor in chatbots: sealed conversation state, MCP server, HTTP service."""
