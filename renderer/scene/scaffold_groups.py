"""Groups that `prosector new` writes so one edit changes many parts: one per body system (tissue:
bones, muscles, cartilage...) carrying that tissue's material, and one per body region (head and
neck, trunk, upper limb, lower limb) where the names say it.

Regions come from the structures' names on whole words ("...of left hand", "femur", "thoracis").
Dataset subgroups are not used: BodyParts3D's put the biceps femoris in the "upper body".
"""

from __future__ import annotations

from renderer.scene.scaffold_tissue import words_of

SYSTEM_GROUPS = {  # preset -> (group id, display name)
    "bone": ("bones", "Bones"),
    "muscle": ("muscles", "Muscles"),
    "cartilage": ("cartilage", "Cartilage"),
    "tendon": ("tendons", "Tendons"),
    "ligament": ("ligaments", "Ligaments"),
    "membrane": ("membranes", "Membranes"),
    "artery": ("arteries", "Arteries"),
    "vein": ("veins", "Veins"),
    "nerve": ("nerves", "Nerves"),
    "organ": ("organs", "Organs"),
    "brain_grey_matter": ("grey_matter", "Grey matter"),
    "brain_white_matter": ("white_matter", "White matter"),
    "fat": ("fat", "Fat"),
    "skin": ("skin", "Skin"),
}

# Checked in order; the first region with a word in the name wins (hands and feet before the rest,
# since "flexor digitorum brevis of foot" says foot but "flexor" says nothing). "head" is not a region
# word: "Long head of biceps" is a head of a muscle.
REGIONS = [
    ("upper_limb", "Upper limb", {
        "hand", "finger", "thumb", "wrist", "forearm", "arm", "shoulder", "elbow", "pollicis", "indicis",
        "carpi", "brachii", "profundus", "brachialis", "brachioradialis", "coracobrachialis", "anconeus", "supinator",
        "pronator", "deltoid", "supraspinatus", "infraspinatus", "subscapularis", "teres", "palmaris", "humerus",
        "radius", "ulna", "scaphoid", "lunate", "triquetral", "pisiform", "trapezium", "trapezoid", "capitate",
        "hamate", "metacarpal", "clavicle", "scapula", "carpal", "subclavius",
    }),
    ("lower_limb", "Lower limb", {
        "foot", "toe", "leg", "thigh", "knee", "ankle", "hip", "hallucis", "femoris", "femur", "tibia", "fibula",
        "patella", "calcaneus", "talus", "navicular", "cuboid", "cuneiform", "metatarsal", "tarsal",
        "gluteus", "vastus", "sartorius", "gracilis", "pectineus", "gastrocnemius", "soleus", "tibialis",
        "fibularis", "peroneus", "popliteus", "plantaris", "semimembranosus", "semitendinosus", "piriformis",
        "gemellus", "obturator", "calcaneal", "magnus", "minimus", "fasciae", "iliacus", "adductor", "accessorius",
    }),
    ("head_and_neck", "Head and neck", {
        "neck", "skull", "cranium", "frontal", "parietal", "occipital", "temporal", "sphenoid",
        "ethmoid", "vomer", "zygomatic", "nasal", "lacrimal", "palatine", "concha", "maxilla", "mandible",
        "hyoid", "cervical", "cervicis", "capitis", "colli", "atlas", "axis", "sternocleidomastoid", "scalenus",
        "omohyoid", "sternohyoid", "sternothyroid", "thyrohyoid", "masseter", "temporalis", "brain",
    }),
    ("trunk", "Trunk", {
        "thoracic", "thoracis", "lumbar", "lumborum", "vertebra", "rib", "costal", "costarum", "sternum",
        "manubrium", "sacrum", "coccyx", "coccygeus", "pubococcygeus", "puborectalis", "intercostal",
        "diaphragm", "oblique", "abdominis", "transversus", "pectoralis", "trapezius", "latissimus",
        "rhomboid", "serratus", "levator", "iliocostalis", "longissimus", "spinalis", "semispinalis",
        "multifidus", "rotator", "interspinales", "intertransversarii", "intertransversarius", "linea", "inguinal",
        "psoas", "heart", "lung", "liver", "kidney", "stomach", "pelvis", "chest", "abdomen", "back",
    }),
]


def region_of(name: str) -> str | None:
    """Region group id for a structure's name, or None when the name does not say."""
    found = set(words_of(name))
    for region, _name, vocabulary in REGIONS:
        if found & vocabulary:
            return region
    return None


def plan_groups(parts: list[tuple[str, str, str]]) -> list[tuple[str, str, str | None, list[str]]]:
    """(group id, display name, material preset or None, part ids) from (part id, preset, name) per
    part. System groups only when the set has more than one tissue (else `defaults.material` says it);
    region groups only when the names put parts in at least two regions."""
    groups = []
    by_preset: dict[str, list[str]] = {}
    for part_id, preset, _name in parts:
        by_preset.setdefault(preset, []).append(part_id)
    if len(by_preset) > 1:
        for preset, ids in sorted(by_preset.items(), key=lambda item: -len(item[1])):
            group_id, display = SYSTEM_GROUPS.get(preset, (preset, preset.replace("_", " ").capitalize()))
            groups.append((group_id, display, preset, ids))
    by_region: dict[str, list[str]] = {}
    for part_id, _preset, name in parts:
        region = region_of(name)
        if region:
            by_region.setdefault(region, []).append(part_id)
    if len(by_region) > 1:
        taken = {g[0] for g in groups}
        for region, display, _words in REGIONS:
            if region in by_region:
                group_id = region if region not in taken else f"{region}_region"
                groups.append((group_id, display, None, by_region[region]))
    return groups
