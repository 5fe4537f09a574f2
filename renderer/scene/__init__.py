"""The scene model: teacher's YAML -> validated pure data (no GL). See `load.load_scene`."""
