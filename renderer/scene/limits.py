"""Bounds on untrusted input, so a hostile or mistaken scene cannot exhaust memory or time."""

MAX_SCENE_FILE_BYTES = 2 * 1024 * 1024
MAX_YAML_NODES = 200_000  # counts aliases as often as they are expanded ("billion laughs")
MAX_YAML_ALIAS_VALUES = 20_000  # values reached through aliases, counted while parsing
MAX_YAML_DEPTH = 64
MAX_YAML_TEXT_CHARS = 100_000  # one value (a lesson text is a few hundred)
MAX_MESH_FILE_BYTES = 1024 * 1024 * 1024
MAX_TRIANGLES_PER_SCENE = 50_000_000
MAX_VERTICES_PER_MESH = 50_000_000  # one mesh file, as its header or accessors declare them
MAX_TEXTURE_PIXELS = 8192 * 8192  # one texture inside a mesh file (256 MiB as RGBA)
MAX_MOLECULE_FILE_BYTES = 512 * 1024 * 1024
MAX_VERTEX_DISTANCE_M = 1.0e4  # |x|, |y|, |z| of a mesh vertex, metres (after its unit)
MAX_COORDINATE_A = 1.0e4  # |x|, |y|, |z| of an atom, angstrom (PDB's columns hold 9,999.999)
MAX_PARTS = 10_000
MAX_ATOMS_PER_SCENE = 20_000_000  # the million-atom benchmark with room to spare
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_FILES = 32
MAX_INCLUDED_BYTES = 2 * MAX_SCENE_FILE_BYTES  # a scene and all it includes, together
