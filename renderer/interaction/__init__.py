"""Interaction: camera control and the preview's view state, as pure logic (no GL, no window)."""
