// Cut-away boxes of the part being drawn (fragment stage): world axis-aligned boxes whose inside
// is removed. A box's inside is not a half-space, so clip distances cannot do it; fragments are
// discarded instead.
uniform vec3 u_cut_box_min[MAX_CUT_BOXES];
uniform vec3 u_cut_box_max[MAX_CUT_BOXES];
uniform int u_cut_box_count;

bool inside_cut_box(vec3 world_position) {
    for (int i = 0; i < MAX_CUT_BOXES; ++i) {
        if (i < u_cut_box_count && all(greaterThanEqual(world_position, u_cut_box_min[i]))
            && all(lessThanEqual(world_position, u_cut_box_max[i]))) {
            return true;
        }
    }
    return false;
}
