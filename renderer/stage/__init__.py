"""The stage: one GL context, renderer, GPU scene and deformation, drawn into any target."""
