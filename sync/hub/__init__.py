"""The hub: websocket sync server, channel webhooks and dispatch, in one asyncio process."""
