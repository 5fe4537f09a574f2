"""The OpenXR target's machinery: runtime discovery, instance, session, swapchains, actions, the
session state machine, frame timing and the quality governor. `renderer.xr.app.XrApp` ties them up."""
