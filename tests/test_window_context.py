"""The GLFW window context under a real Xvfb: the same renderer draws into the window."""

from __future__ import annotations

import numpy as np

from renderer.scene.load import load_scene
from tests.conftest import SCENES, save_png


def test_window_shows_the_same_image_as_offscreen(xvfb_display, headless, output_dir):
    from renderer.gl import commands
    from renderer.gl.window import WindowContext
    from renderer.gpu.scene import GpuScene
    from renderer.passes.renderer import Renderer

    loaded = load_scene(SCENES / "brain.yaml")
    headless.load(loaded)
    offscreen = headless.render(200, 150)

    with WindowContext(200, 150, visible=False) as window:
        assert window.info.version.startswith("4.5")
        renderer = Renderer(window)
        scene = GpuScene(window.resources)
        scene.sync(loaded)
        view = headless.last_views[0]  # the same camera and viewport
        renderer.render_view(scene, view, headless.options(), 0, srgb_target=window.srgb_framebuffer)
        commands.finish()
        shown = commands.read_rgba8(0, (0, 0, 200, 150))[:, :, :3]
        window.swap_buffers()
        scene.close()
        renderer.release()
        assert sum(window.resources.live_counts().values()) == 0
    save_png(output_dir / "window.png", shown)
    save_png(output_dir / "offscreen.png", offscreen)
    difference = np.abs(shown.astype(int) - offscreen.astype(int))
    assert difference.mean() < 1.0 and np.percentile(difference, 99.5) <= 8, (difference.mean(), difference.max())
