"""Background job handlers of the registry (imports and large exports register here)."""
