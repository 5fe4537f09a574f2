"""Baking a school's library of lessons into files (`prosector bake`): one PNG per step and language,
an MP4 per step transition or animation, a handout PDF per language; planned as content-keyed jobs
(`plan`), stored by content hash with a manifest (`store`), rendered by long-lived workers with a
lazily made GL context (`worker`, `step_images`, `video`, `handout`), on Ray or in-process (`driver`)."""
