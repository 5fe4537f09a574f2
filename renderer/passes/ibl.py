"""Image-based lighting: the studio environment's GGX pre-filtered maps and irradiance on the GPU."""

from __future__ import annotations

from renderer.gl.resources import ResourceRegistry
from renderer.gl.shaders import Program
from renderer.gl.textures import MipmappedTexture
from renderer.lighting.environment_map import environment_maps
from renderer.passes.options import RenderOptions


class EnvironmentLighting:
    """Uploads the maps for the options' sky/ground colours (cached; rebuilt when they change)."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self._key: tuple | None = None
        self._specular: MipmappedTexture | None = None
        self._irradiance: MipmappedTexture | None = None
        self.levels = 0

    def inputs(self, program: Program, options: RenderOptions) -> dict[str, MipmappedTexture]:
        """The maps for `options` by sampler name (for `gl_pass`); sets `program`'s level count."""
        key = (tuple(round(c, 5) for c in options.sky), tuple(round(c, 5) for c in options.ground))
        if key != self._key:
            self.release()
            levels, irradiance = environment_maps(*key)
            self._specular = MipmappedTexture(self.registry, list(levels))
            self._irradiance = MipmappedTexture(self.registry, [irradiance])
            self.levels, self._key = len(levels), key
        assert self._specular is not None and self._irradiance is not None
        program["u_env_levels"] = float(self.levels)
        return {"u_env_specular": self._specular, "u_env_irradiance": self._irradiance}

    def release(self) -> None:
        for texture in (self._specular, self._irradiance):
            if texture is not None:
                texture.release()
        self._specular = self._irradiance = None
        self._key = None
