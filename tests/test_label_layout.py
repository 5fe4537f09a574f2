"""Label layout (pure): no overlaps, inside the view, anchors left uncovered; fonts cover the scripts."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.labels.atlas import label_image, pack
from renderer.labels.layout import follow_placements, overlaps, place_labels


def test_crowded_labels_do_not_overlap():
    rng = np.random.default_rng(3)
    anchors = rng.normal([320, 240], 40, size=(12, 2))  # twelve parts close together in the middle
    sizes = np.column_stack([rng.integers(60, 160, 12), np.full(12, 24)]).astype(float)
    placements = place_labels(anchors, sizes, (640, 480), np.array([320.0, 240.0]), gap=30)
    assert overlaps(placements) == 0
    for placement in placements:
        x0, y0, x1, y1 = placement.box
        assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 480
        for other in anchors:
            assert not (x0 < other[0] < x1 and y0 < other[1] < y1), "a label hides an anchor"
        end = np.array(placement.line_end)
        assert x0 - 1e-6 <= end[0] <= x1 + 1e-6 and y0 - 1e-6 <= end[1] <= y1 + 1e-6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(50, 590), st.floats(40, 440)), min_size=1, max_size=8))
def test_few_labels_never_overlap(points):
    anchors = np.array(points)
    sizes = np.tile([[90.0, 22.0]], (len(anchors), 1))
    assert overlaps(place_labels(anchors, sizes, (640, 480), np.array([320.0, 240.0]), gap=28)) == 0


def test_labels_go_outward_from_the_subject():
    placements = place_labels(np.array([[200.0, 240.0], [440.0, 240.0]]), np.array([[80.0, 20.0]] * 2),
                              (640, 480), np.array([320.0, 240.0]), gap=30)  # fmt: skip
    assert placements[0].box[2] < 200 and placements[1].box[0] > 440


def test_the_other_eye_keeps_each_offset_and_is_cut_at_its_edge():
    sizes = np.array([[80.0, 20.0], [60.0, 20.0]])
    left = place_labels(np.array([[60.0, 100.0], [300.0, 200.0]]), sizes, (320, 240), np.array([160.0, 120.0]), 30)
    offsets = [(p.box[0] - a[0], p.box[1] - a[1]) for p, a in zip(left, [(60.0, 100.0), (300.0, 200.0)])]
    right_anchors = np.array([[20.0, 100.0], [262.0, 200.0]])  # both nearer: further left in the right eye
    right = follow_placements(right_anchors, sizes, offsets)
    for placement, anchor, offset in zip(right, right_anchors, offsets):
        assert np.allclose(np.array(placement.box[:2]) - anchor, offset)
    assert right[0].box[0] < 0  # past the left edge: cut there, not pushed over its own anchor
    assert follow_placements(right_anchors, sizes, [offsets[0], None]) is None


def test_font_has_latin_cyrillic_and_chinese_glyphs():
    # A missing glyph renders as the same "tofu" box for every character; real glyphs differ.
    missing_a, missing_b = label_image("\U000e0101", 24, "en"), label_image("\U000e0102", 24, "en")
    assert np.array_equal(missing_a, missing_b)
    for text, lang in (("Femur", "en"), ("Бедренная кость", "ru"), ("股骨", "zh"), ("Fémur", "fr")):
        image = label_image(text, 24, lang)
        assert image.shape[0] >= 24 and image[:, :, 3].max() == 255
        bright = (image[:, :, 0] > 200).sum()
        assert bright > 20, f"{text}: no text drawn"
    assert not np.array_equal(label_image("股", 24, "zh")[:, :, 0] > 128, label_image("骨", 24, "zh")[:, :, 0] > 128)


def test_atlas_packs_without_overlap():
    images = [np.full((h, w, 4), i + 1, dtype=np.uint8) for i, (h, w) in enumerate([(20, 300), (30, 900), (24, 40)])]
    atlas, sprites = pack(images, width=1024)
    for i, sprite in enumerate(sprites):
        region = atlas[sprite.y : sprite.y + sprite.height, sprite.x : sprite.x + sprite.width]
        assert (region == i + 1).all()
    assert (atlas[0:3, 0:3] == 255).all()
