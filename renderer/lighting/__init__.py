"""Light sources computed on the CPU: the procedural studio environment and its GGX pre-filtering."""
