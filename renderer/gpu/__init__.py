"""The GPU scene: buffers for every part, synced from the scene model by part id."""
