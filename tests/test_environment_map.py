"""The studio environment's pre-filtering (pure NumPy): convolutions keep energy and constants."""

from __future__ import annotations

import numpy as np

from renderer.lighting import environment_map as env


def _mean_radiance(image: np.ndarray) -> np.ndarray:
    _dirs, solid = env.texel_directions(image.shape[1], image.shape[0])
    return (image * solid[..., None]).sum(axis=(0, 1)) / solid.sum()


def test_solid_angles_cover_the_sphere():
    _dirs, solid = env.texel_directions(64, 32)
    assert abs(solid.sum() - 4 * np.pi) < 0.01


def test_constant_environment_stays_constant_at_every_roughness():
    constant = np.full((32, 64, 3), 0.7, dtype=np.float32)
    for roughness in (0.2, 0.6, 1.0):
        out = env._convolve(constant, 16, 8, env._ggx_weights(roughness))
        assert np.allclose(out, 0.7, atol=1e-3)


def test_prefiltering_blurs_but_keeps_the_mean():
    sky, ground = (0.7, 0.78, 0.9), (0.08, 0.07, 0.06)
    levels = env.prefiltered_levels(sky, ground)
    assert [lv.shape[:2] for lv in levels] == [(64 >> k, 128 >> k) for k in range(env.LEVELS)]
    means = [_mean_radiance(level) for level in levels]
    for mean in means[1:]:
        assert np.allclose(mean, means[0], rtol=0.12)  # convolution moves light, it does not add or lose it
    contrast = [float(level[..., 1].max() / level[..., 1].min()) for level in levels]
    assert contrast[1] > contrast[-1] * 2  # rougher levels are flatter


def test_irradiance_faces_the_sky_up_and_the_ground_down():
    irradiance = env.irradiance_map((0.7, 0.78, 0.9), (0.08, 0.07, 0.06))
    assert irradiance[0].mean() > 5 * irradiance[-1].mean()
