"""Labels: fonts, text rasterised into an atlas, and their screen-space layout (no GL here)."""
