"""The desktop preview: a GLFW window that shows a scene, reloads it on save, and lets people explore it."""
