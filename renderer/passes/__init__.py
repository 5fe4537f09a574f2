"""Render passes: functions of (GPU scene, view, options) that draw into buffers they are given."""
