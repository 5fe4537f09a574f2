"""A lesson step as a short video: the camera moving in from the previous step's view over the
step's transition time, then its animations playing through. H.264 (and AV1 where PyAV's FFmpeg
has an encoder for it) in MP4, through PyAV, which ships FFmpeg in its wheels."""

from __future__ import annotations

import io

import numpy as np

from renderer.interaction.orbit import OrbitCamera, interpolate
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import scene_state

FPS = 24
MAX_SECONDS = 20.0


def step_frames(headless, loaded: LoadedScene, step: int, languages: tuple[str, ...], size: tuple[int, int]):
    """Yields {language: (H, W, 3) uint8} frames of step `step` (0-based): each frame's 3D scene is
    drawn once and labelled per language (renderer/bake/step_images.py)."""
    from renderer.bake.step_images import render_languages

    width, height = size
    lang = languages[0]
    definition = loaded.scene.lesson.steps[step]
    end_state = scene_state(loaded, step, lang, time_s=0.0)
    end = OrbitCamera.from_camera(end_state.camera or headless.camera(width / height))
    start = end
    if step > 0:
        before = scene_state(loaded, step - 1, lang)
        start = OrbitCamera.from_camera(before.camera or headless.camera(width / height))
    transition = definition.transition_ms / 1000.0 if step > 0 else 0.0
    animated = [getattr(loaded.scene.animations[name], "duration_s", 0.0) for name in definition.animate
                if name in loaded.scene.animations]  # fmt: skip
    animation = max(animated, default=0.0)
    total = min(transition + animation, MAX_SECONDS)
    for index in range(max(2, int(round(total * FPS)))):
        t = index / FPS
        blend = min(1.0, t / transition) if transition > 0 else 1.0
        camera = interpolate(start, end, blend).to_camera()  # interpolate eases
        time_s = max(0.0, t - transition) if animation else None
        yield render_languages(headless, loaded, step, languages, size, camera=camera, time_s=time_s)


def step_videos(headless, loaded: LoadedScene, step: int, languages: tuple[str, ...],
                size: tuple[int, int]) -> dict[str, bytes]:  # fmt: skip
    """{language: MP4 bytes} of step `step`, all languages encoded side by side from shared renders."""
    encoders = {lang: Mp4Encoder(size) for lang in languages}
    for frames in step_frames(headless, loaded, step, languages, size):
        for lang, frame in frames.items():
            encoders[lang].add(frame)
    return {lang: encoder.finish() for lang, encoder in encoders.items()}


class Mp4Encoder:
    """Frames in ((H, W, 3) uint8), MP4 bytes out; sizes are rounded down to even numbers (yuv420p)."""

    def __init__(self, size: tuple[int, int], codec: str = "libx264"):
        import av  # PyAV: FFmpeg's encoders from Python; only baking needs it

        self._av = av
        self.width, self.height = size[0] // 2 * 2, size[1] // 2 * 2
        self._buffer = io.BytesIO()
        self._container = av.open(self._buffer, mode="w", format="mp4")
        self._stream = self._container.add_stream(codec, rate=FPS)
        self._stream.width, self._stream.height, self._stream.pix_fmt = self.width, self.height, "yuv420p"
        if codec == "libx264":
            self._stream.options = {"crf": "23", "preset": "veryfast"}

    def add(self, frame: np.ndarray) -> None:
        picture = self._av.VideoFrame.from_ndarray(np.ascontiguousarray(frame[:self.height, :self.width]),
                                                   format="rgb24")  # fmt: skip
        for packet in self._stream.encode(picture):
            self._container.mux(packet)

    def finish(self) -> bytes:
        for packet in self._stream.encode():
            self._container.mux(packet)
        self._container.close()
        return self._buffer.getvalue()
