"""Anatomical vocabulary for tools/build_library.py: each BodyParts3D label's tissue, region, system and
the everyday words a teacher searches with ("knee", "rotator cuff").

Every label of the source must match one region rule; the build stops on an unknown one rather than
guessing, so a new source file is classified deliberately. Rules match whole words of the label with
its side ("left", "right") removed.
"""

from __future__ import annotations

import re

# (region, words): the first rule whose phrase occurs in the label wins, so specific phrases come first.
# Sided regions ("upper_limb") get the part's side in front: left_upper_limb.
REGION_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("upper_limb", ("clavicle", "scapula", "humerus", "radius", "ulna", "scaphoid", "lunate", "triquetral",
                    "pisiform", "trapezium", "trapezoid", "capitate", "hamate", "metacarpal", "finger", "thumb",
                    "of hand", "wrist", "deltoid", "biceps brachii", "triceps brachii", "brachialis",
                    "coracobrachialis", "anconeus", "supraspinatus", "infraspinatus", "subscapularis", "teres",
                    "pronator", "supinator", "carpi", "palmaris", "flexor digitorum profundus", "pollicis",
                    "extensor digiti minimi", "extensor indicis")),
    ("lower_limb", ("hip bone", "femur", "patella", "tibia", "fibula", "talus", "calcaneus", "navicular",
                    "cuboid", "cuneiform", "metatarsal", "toe", "of foot", "of leg", "gluteus", "tensor fasciae",
                    "piriformis", "gemellus", "obturator", "iliacus", "psoas", "rectus femoris", "vastus",
                    "gracilis", "pectineus", "adductor brevis", "adductor magnus", "adductor minimus",
                    "biceps femoris", "semitendinosus", "semimembranosus", "popliteus", "gastrocnemius", "soleus",
                    "plantaris", "tibialis", "extensor digitorum longus", "hallucis", "fibularis",
                    "flexor digitorum brevis", "flexor accessorius", "calcaneal")),
    ("head", ("frontal bone", "parietal", "occipital", "temporal bone", "sphenoid", "ethmoid", "vomer", "maxilla",
              "mandible", "zygomatic", "nasal", "lacrimal", "palatine", "concha")),
    ("neck", ("hyoid", "sternocleidomastoid", "scalenus", "omohyoid", "sternohyoid", "sternothyroid",
              "rectus capitis lateralis", "anterior cervical intertransversarii")),
    ("thorax", ("rib", "costal cartilage", "sternum", "manubrium", "xiphoid", "pectoralis", "serratus anterior",
                "subclavius", "transversus thoracis", "diaphragm", "intercostal muscle")),
    ("abdomen", ("external oblique", "internal oblique", "linea alba", "inguinal", "rectus abdominis")),
    ("pelvis", ("coccygeus", "pubococcygeus", "puborectalis", "iliococcygeus")),
    ("back", ("vertebra", "atlas", "axis", "sacrum", "coccyx", "trapezius", "rhomboid", "levator scapulae",
              "iliocostalis", "longissimus", "spinalis", "semispinalis", "splenius", "rotator", "interspinales",
              "intertransversari", "levatores costarum", "serratus posterior", "obliquus capitis",
              "rectus capitis posterior")),
]

# Tissue (a Prosector material preset) and body system, by the label's words; else by the source group.
TISSUE_RULES: list[tuple[str, str, tuple[str, ...]]] = [
    ("cartilage", "skeletal", ("costal cartilage",)),
    ("cartilage", "articular", ("intervertebral disk",)),
    ("ligament", "articular", ("ligament", "interosseous membrane")),
    ("ligament", "muscular", ("retinaculum",)),
    ("tendon", "muscular", ("tendon", "linea alba")),
    ("bone", "skeletal", ("bone", "vertebra", "rib", "sternum", "manubrium", "atlas", "axis", "sacrum", "phalanx",
                          "femur", "tibia", "fibula", "patella", "humerus", "radius", "ulna", "clavicle", "scapula",
                          "maxilla", "mandible", "vomer", "ethmoid", "talus", "calcaneus", "scaphoid", "lunate",
                          "triquetral", "pisiform", "trapezium", "trapezoid", "capitate", "hamate", "cuneiform")),
]
GROUP_TISSUE = {"bones": ("bone", "skeletal"), "muscles": ("muscle", "muscular"), "other": ("muscle", "muscular"),
                "tendons": ("tendon", "muscular")}  # fmt: skip

# Everyday words: a part whose label holds any of the phrases is found by the keyword.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "knee": ("femur", "patella", "tibia", "fibula", "popliteus", "gastrocnemius", "rectus femoris", "vastus",
             "biceps femoris", "semitendinosus", "semimembranosus", "plantaris", "gracilis", "of leg"),
    "thigh": ("femur", "rectus femoris", "vastus", "adductor", "gracilis", "pectineus", "biceps femoris",
              "semitendinosus", "semimembranosus", "tensor fasciae"),
    "quadriceps": ("rectus femoris", "vastus"),
    "hamstrings": ("biceps femoris", "semitendinosus", "semimembranosus"),
    "calf": ("gastrocnemius", "soleus", "plantaris", "calcaneal tendon"),
    "achilles": ("calcaneal tendon",),
    "hip": ("hip bone", "femur", "gluteus", "piriformis", "gemellus", "obturator", "iliacus", "psoas",
            "tensor fasciae", "sacrum"),
    "ankle": ("tibia", "fibula", "talus", "calcaneus", "calcaneal tendon"),
    "foot": ("talus", "calcaneus", "navicular", "cuboid", "cuneiform", "metatarsal", "toe", "of foot",
             "hallucis", "flexor digitorum brevis", "flexor accessorius"),
    "shoulder": ("clavicle", "scapula", "humerus", "deltoid", "supraspinatus", "infraspinatus", "subscapularis",
                 "teres", "trapezius", "pectoralis", "coracobrachialis", "biceps brachii"),
    "rotator cuff": ("supraspinatus", "infraspinatus", "subscapularis", "teres minor"),
    "arm": ("humerus", "biceps brachii", "triceps brachii", "brachialis", "coracobrachialis", "deltoid"),
    "elbow": ("humerus", "radius", "ulna", "biceps brachii", "triceps brachii", "brachialis", "anconeus",
              "pronator teres", "supinator"),
    "forearm": ("radius", "ulna", "pronator", "supinator", "carpi", "palmaris", "flexor digitorum profundus",
                "pollicis longus", "extensor digiti minimi", "extensor indicis", "abductor pollicis longus"),
    "wrist": ("scaphoid", "lunate", "triquetral", "pisiform", "trapezium", "trapezoid", "capitate", "hamate",
              "radius", "ulna", "wrist"),
    "hand": ("metacarpal", "finger", "thumb", "of hand", "scaphoid", "lunate", "triquetral", "pisiform",
             "trapezium", "trapezoid", "capitate", "hamate", "pollicis brevis", "adductor pollicis",
             "opponens pollicis"),
    "skull": ("frontal bone", "parietal", "occipital", "temporal bone", "sphenoid", "ethmoid", "vomer", "maxilla",
              "mandible", "zygomatic", "nasal", "lacrimal", "palatine", "concha"),
    "jaw": ("mandible", "maxilla"),
    "spine": ("vertebra", "atlas", "axis", "sacrum", "coccyx", "intervertebral disk"),
    "ribcage": ("rib", "costal cartilage", "sternum", "manubrium"),
    "chest": ("rib", "costal cartilage", "sternum", "manubrium", "pectoralis", "serratus anterior", "diaphragm"),
    "breathing": ("diaphragm", "rib", "costal cartilage", "intercostal", "scalenus", "sternum", "manubrium"),
    "pelvis": ("hip bone", "sacrum", "coccyx", "coccygeus", "pubococcygeus", "puborectalis", "obturator"),
    "abdominal wall": ("external oblique", "linea alba", "inguinal"),
}


def words(label: str) -> str:
    """The label, lower case, without its side: 'Long head of left biceps brachii' -> 'long head of biceps brachii'."""
    return re.sub(r"\s+", " ", re.sub(r"\b(left|right)\b", " ", label.lower())).strip()


def has(phrase: str, text: str, whole: bool = False) -> bool:
    """Whether `phrase` starts a word of `text` (and, with `whole`, ends one)."""
    return re.search(rf"\b{re.escape(phrase)}" + (r"\b" if whole else ""), text) is not None


def side_of(label: str) -> str:
    text = label.lower()
    left, right = has("left", text), has("right", text)
    return "left" if left and not right else "right" if right and not left else "midline"


def region_of(label: str) -> str:
    text, side = words(label), side_of(label)
    for region, phrases in REGION_RULES:
        if any(has(p, text) for p in phrases):
            if region.endswith("_limb"):
                if side == "midline":
                    raise ValueError(f"{label!r}: a limb part without a side")
                return f"{side}_{region}"
            return region
    raise ValueError(f"{label!r}: no region rule matches; add one to REGION_RULES")


def tissue_and_system(label: str, group: str) -> tuple[str, str]:
    text = words(label)
    for tissue, system, phrases in TISSUE_RULES:
        if any(has(p, text, whole=True) for p in phrases):  # whole words: "ulna" is not "ulnaris"
            return tissue, system
    return GROUP_TISSUE[group]


def keywords_of(label: str) -> list[str]:
    text = words(label)
    return sorted(k for k, phrases in KEYWORDS.items() if any(has(p, text, whole=True) for p in phrases))


def part_id(label: str) -> str:
    """'Long head of right biceps brachii' -> 'right_long_head_of_biceps_brachii'; 'Set of ...' loses 'set of'."""
    side = side_of(label)
    text = re.sub(r"^set of ", "", words(label))
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text if side == "midline" else f"{side}_{text}"
