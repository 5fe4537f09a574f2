"""Labels overlay: names of parts beside the anatomy, with leader lines to the parts, per view.

Drawn after present, straight into the target's display-referred (sRGB) pixels rather than into the
HDR buffer: text must keep its exact colour and contrast whatever the exposure and tone mapping,
and stay pixel-sharp (it is not multisampled or resolved). Sizes are in pixels of the view, set from
the view height, so labels read the same at any distance from the anatomy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer import maths
from renderer.gl import commands
from renderer.gl.resources import Buffer, Framebuffer, ResourceRegistry, Texture, VertexArray
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, gl_pass
from renderer.gpu.scene import GpuScene
from renderer.labels.atlas import WHITE_TEXEL, dot_image, label_image, pack
from renderer.labels.layout import Placement, follow_placements, place_labels
from renderer.passes.buffers import ViewBuffers
from renderer.scene.step_state import LabelRequest
from renderer.view import View

FLOATS_PER_VERTEX = 8  # pixel xy, texel xy, tint rgba (premultiplied)


def label_pixel_size(view_height: int, scale: float = 1.0) -> int:
    """Text height in pixels: about 3% of the view, readable from thumbnails to 4K."""
    return int(round(scale * float(np.clip(0.03 * view_height, 11, 42))))


def choose_anchor(view: View, label: LabelRequest, view_depth: np.ndarray | None) -> np.ndarray | None:
    """Scene point (3,), metres, where the leader line points: the teacher's anchor, else the visible
    candidate point whose pixel is nearest the middle of the part's visible points (None when the
    part is off screen)."""
    if label.anchor_m is not None:
        _, depth = view.project(label.anchor_m[None])
        return label.anchor_m if depth[0] > view.near_m else None
    points = label.points_m
    pixels, depth = view.project(points)
    width, height = view.size
    inside = (depth > view.near_m) & (pixels[:, 0] >= 0) & (pixels[:, 0] < width) & (pixels[:, 1] >= 0) \
        & (pixels[:, 1] < height)  # fmt: skip
    if not inside.any():
        return None
    points, pixels, depth = points[inside], pixels[inside], depth[inside]
    if view_depth is not None:
        column, row = pixels[:, 0].astype(int), pixels[:, 1].astype(int)
        surface = view_depth[row, column]  # 0 where only background (or translucent parts) lies
        seen = (surface <= 0.0) | (depth <= surface * 1.01 + 0.002)
        if seen.any():
            points, pixels = points[seen], pixels[seen]
        else:
            return points[int(np.argmin(depth))]
    middle = pixels.mean(axis=0)
    return points[int(np.argmin(np.linalg.norm(pixels - middle, axis=1)))]


def _on_screen(view: View, point_m: np.ndarray) -> bool:
    pixels, depth = view.project(point_m[None])
    width, height = view.size
    return bool(depth[0] > view.near_m and 0 <= pixels[0, 0] < width and 0 <= pixels[0, 1] < height)


@dataclass(frozen=True)
class EyeLayout:
    """What one view drew: its labels, their anchors as scene points (3,) metres and as pixels (2,),
    their boxes, and the text height in pixels."""

    labels: list[LabelRequest]
    points_m: list[np.ndarray]
    anchors: list[np.ndarray]
    placements: list[Placement]
    size_px: int

    def followed(self, view: View, size_px: int) -> dict[int, tuple[np.ndarray, tuple[float, float]]]:
        """For the other eye of the same frame: id(label) -> (this eye's anchor point, the box's offset
        from the anchor's pixel), for each label at the same text height whose point `view` sees."""
        if size_px != self.size_px:
            return {}
        return {id(label): (point, (placement.box[0] - anchor[0], placement.box[1] - anchor[1]))
                for label, point, anchor, placement in zip(self.labels, self.points_m, self.anchors, self.placements)
                if _on_screen(view, point)}  # fmt: skip


NO_LABELS = EyeLayout([], [], [], [], 0)


class LabelPass:
    """Owns the atlas texture and the vertex buffer of the overlay; one per Renderer."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.texture: Texture | None = None
        self.atlas_key: tuple | None = None
        self.buffer: Buffer | None = None
        self.vertex_array: VertexArray | None = None
        self.last_by_eye: dict[int, EyeLayout] = {}  # per view index: what it drew last
        self._last_index = 0

    @property
    def last_placements(self) -> list[Placement]:
        """The boxes of the view drawn last (diagnostics and tests)."""
        return self._last().placements

    @property
    def last_anchors(self) -> list[np.ndarray]:
        """The anchors, (2,) pixels, of the view drawn last."""
        return self._last().anchors

    def _last(self) -> EyeLayout:
        return self.last_by_eye.get(self._last_index, NO_LABELS)

    def skip(self, view: View) -> None:
        """This view draws no labels."""
        self.last_by_eye[view.index], self._last_index = NO_LABELS, view.index

    def run(self, shaders: ShaderLibrary, scene: GpuScene, view: View, buffers: ViewBuffers,
            target: Framebuffer | int) -> None:  # fmt: skip
        self.skip(view)
        width, height = view.size
        size_px = label_pixel_size(height, scene.label_scale)
        # The right eye points at the same spots as the left one, drawn just before it in the same
        # frame, and keeps each label at the same offset: a label then floats at its anchor's depth,
        # where choosing again could move the dot or put the plate on the other side in one eye only.
        followed = self.last_by_eye.get(0, NO_LABELS).followed(view, size_px) if view.index == 1 else {}
        needs_depth = any(label.anchor_m is None and id(label) not in followed for label in scene.labels)
        view_depth = commands.read_float(buffers.normal_depth)[:, :, 3] if needs_depth else None
        chosen = [(label, followed[id(label)][0] if id(label) in followed else choose_anchor(view, label, view_depth))
                  for label in scene.labels]  # fmt: skip
        chosen = [(label, point) for label, point in chosen if point is not None]
        if not chosen:
            return
        images = [label_image(label.text, size_px, scene.label_language) for label, _ in chosen]
        dot = dot_image()
        anchors = view.project(np.array([point for _, point in chosen]))[0]
        sizes = np.array([[im.shape[1], im.shape[0]] for im in images], dtype=np.float64)
        placements = None
        if followed:
            offsets = [followed[id(label)][1] if id(label) in followed else None for label, _ in chosen]
            placements = follow_placements(anchors, sizes, offsets)
        if placements is None:
            centre = _subject_centre(view, scene)
            placements = place_labels(anchors, sizes, (width, height), centre, gap=size_px * 1.6)
        self.last_by_eye[view.index] = EyeLayout([label for label, _ in chosen], [point for _, point in chosen],
                                                 list(anchors), placements, size_px)  # fmt: skip
        sprites = self._upload_atlas([*images, dot], key=(tuple(label.text for label, _ in chosen), size_px,
                                                          scene.label_language))  # fmt: skip
        vertices = _vertices(anchors, placements, sprites[:-1], sprites[-1], size_px)
        self._draw(shaders, vertices, view, target)

    def _upload_atlas(self, images: list[np.ndarray], key: tuple):
        atlas, sprites = pack(images)
        if key != self.atlas_key:
            if self.texture is None or (self.texture.width, self.texture.height) != (atlas.shape[1], atlas.shape[0]):
                if self.texture is not None:
                    self.texture.release()
                self.texture = Texture(self.registry, atlas.shape[1], atlas.shape[0], commands.RGBA8)
            self.texture.upload(atlas, commands.RGBA, commands.UNSIGNED_BYTE)  # row 0 = texel row 0
            self.atlas_key = key
        return sprites

    def _draw(self, shaders: ShaderLibrary, vertices: np.ndarray, view: View, target: Framebuffer | int) -> None:
        data = np.ascontiguousarray(vertices, dtype=np.float32)
        if self.buffer is None or self.buffer.size < data.nbytes:
            self.release_buffers()
            self.buffer = Buffer(self.registry, size=max(data.nbytes, 64 * 1024), dynamic=True)
            self.vertex_array = VertexArray(self.registry)
            stride = FLOATS_PER_VERTEX * 4
            for location, (components, offset) in enumerate(((2, 0), (2, 8), (4, 16))):
                self.vertex_array.attribute(location, self.buffer, components, stride, offset)
        self.buffer.write(data)
        program = shaders.program("label.vert", "label.frag")
        program["u_view_size"] = view.size
        with gl_pass(framebuffer=target, viewport=view.viewport, program=program, textures={"u_atlas": self.texture},
                     blend=PREMULTIPLIED, framebuffer_srgb=False, multisample=False):  # fmt: skip
            commands.draw_triangles(self.vertex_array, len(data))

    def release_buffers(self) -> None:
        for resource in (self.vertex_array, self.buffer):
            if resource is not None:
                resource.release()
        self.vertex_array, self.buffer = None, None

    def release(self) -> None:
        self.release_buffers()
        if self.texture is not None:
            self.texture.release()
            self.texture = None


def _subject_centre(view: View, scene: GpuScene) -> np.ndarray:
    centre = scene.bounds().mean(axis=0)
    pixels, _ = view.project(centre[None])
    return pixels[0]


def _vertices(anchors, placements, sprites, dot, size_px: int) -> np.ndarray:
    """(V, 8) float32 triangles: leader lines (dark edge, light core), anchor dots, then label plates."""
    out: list[list[float]] = []
    outline, core = max(3.0, size_px / 6), max(1.5, size_px / 14)
    for anchor, placement in zip(anchors, placements, strict=True):
        _line(out, anchor, placement.line_end, outline, (0.0, 0.0, 0.0, 0.55))
    for anchor, placement in zip(anchors, placements, strict=True):
        _line(out, anchor, placement.line_end, core, (0.95, 0.95, 0.95, 0.95))
    for anchor in anchors:
        x0, y0 = round(anchor[0] - dot.width / 2), round(anchor[1] - dot.height / 2)
        _sprite(out, x0, y0, dot)
    for placement, sprite in zip(placements, sprites, strict=True):
        _sprite(out, round(placement.box[0]), round(placement.box[1]), sprite)
    return np.array(out, dtype=np.float32).reshape(-1, FLOATS_PER_VERTEX)


def _line(out, start, end, thickness: float, tint) -> None:
    a, b = np.asarray(start, float), np.asarray(end, float)
    direction = b - a
    if np.linalg.norm(direction) < 1.0:
        return
    side = maths.normalize(np.array([-direction[1], direction[0]])) * thickness / 2
    corners = [a - side, a + side, b + side, b - side]
    texel = (WHITE_TEXEL[0] + 0.5, WHITE_TEXEL[1] + 0.5)
    for index in (0, 1, 2, 0, 2, 3):
        out.append([*corners[index], *texel, *tint])


def _sprite(out, x0: int, y0: int, sprite) -> None:
    """A sprite drawn 1:1 with its top-left at pixel (x0, y0) (top-left origin)."""
    corners = [(x0, y0, sprite.x, sprite.y), (x0 + sprite.width, y0, sprite.x + sprite.width, sprite.y),
               (x0 + sprite.width, y0 + sprite.height, sprite.x + sprite.width, sprite.y + sprite.height),
               (x0, y0 + sprite.height, sprite.x, sprite.y + sprite.height)]  # fmt: skip
    for index in (0, 1, 2, 0, 2, 3):
        out.append([*corners[index][:2], *corners[index][2:], 1.0, 1.0, 1.0, 1.0])
