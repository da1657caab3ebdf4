"""The domain of Tracker without any GUI: the store, engagement rules, follow-ups, import and export."""
