"""Which material preset a mesh gets when `prosector new` writes it: tissue from an anatomical
vocabulary, matched on whole words (so "diaphragm" is not grey matter because it ends in "gm", and
the "head" of a muscle is not skin), then from folder names (`bones/`, `muscles/`) and dataset groups.

Evidence, strongest first:
1. words naming a tissue outright: "cartilage", "disk", "tendon", "ligament", "nerve", "artery"...;
2. the name of a muscle ("biceps", "flexor", "levator"...) or a bone ("femur", "phalanx"...); muscles
   are checked first because many are named after bones ("rectus femoris", "flexor carpi ulnaris");
3. the dataset's own group (meta.json) or the file's folder ("bones/", "muscles/");
4. the name of an organ or brain structure.
"""

from __future__ import annotations

import re

# (words, preset) in order of priority within a level; a phrase is matched as consecutive words.
EXPLICIT = [
    (("cartilage", "cartilages", "disk", "disc", "disks", "discs", "meniscus", "menisci", "labrum"), "cartilage"),
    (("tendon", "tendons", "aponeurosis", "linea alba"), "tendon"),
    (("ligament", "ligaments", "retinaculum", "ligamentum"), "ligament"),
    (("membrane", "membranes", "pleura", "pericardium", "dura", "peritoneum", "fascia", "meninges"), "membrane"),
    (("artery", "arteries", "aorta", "arterial", "carotid", "arteriole"), "artery"),
    (("vein", "veins", "venous", "vena", "cava", "sinus"), "vein"),
    (("nerve", "nerves", "plexus", "spinal cord", "ganglion", "nervous"), "nerve"),
    (("white matter", "wm"), "brain_white_matter"),
    (("grey matter", "gray matter", "gm", "cortex", "pial", "gyrus", "sulcus"), "brain_grey_matter"),
    (("fat", "adipose"), "fat"),
    (("skin", "epidermis", "dermis"), "skin"),
    (("muscle", "muscles", "musculus", "myocardium"), "muscle"),
    (("bone", "bones", "os", "ossa", "skeleton", "skeletal"), "bone"),
]

MUSCLE_WORDS = {
    # by action and form
    "abductor", "adductor", "extensor", "flexor", "levator", "levatores", "depressor", "rotator", "rotatores",
    "pronator", "supinator", "tensor", "sphincter", "constrictor", "dilator", "opponens", "erector",
    "lumbricals", "lumbrical", "interossei", "interosseus", "intercostal", "intercostals", "subcostal",
    "intertransversarii", "intertransversarius", "interspinales", "interspinalis", "transversus", "obliquus",
    "oblique", "rectus", "quadratus", "gemellus", "teres", "serratus", "scalenus", "splenius", "longissimus",
    "iliocostalis", "spinalis", "semispinalis", "multifidus", "rhomboid", "platysma",
    # named muscles
    "biceps", "triceps", "deltoid", "trapezius", "pectoralis", "latissimus", "gluteus", "gastrocnemius",
    "soleus", "tibialis", "fibularis", "peroneus", "vastus", "sartorius", "gracilis", "pectineus", "iliacus",
    "psoas", "iliopsoas", "piriformis", "obturator", "popliteus", "plantaris", "semimembranosus",
    "semitendinosus", "brachialis", "brachioradialis", "coracobrachialis", "anconeus", "supraspinatus",
    "infraspinatus", "subscapularis", "subclavius", "sternocleidomastoid", "omohyoid", "sternohyoid",
    "sternothyroid", "thyrohyoid", "mylohyoid", "geniohyoid", "stylohyoid", "digastric", "masseter",
    "temporalis", "pterygoid", "buccinator", "orbicularis", "frontalis", "occipitofrontalis", "zygomaticus",
    "coccygeus", "pubococcygeus", "puborectalis", "iliococcygeus", "cremaster", "palmaris", "diaphragm",
    "quadriceps", "hamstring", "hamstrings", "hallucis", "pollicis", "digitorum", "indicis", "costarum",
}

BONE_WORDS = {
    "femur", "tibia", "fibula", "patella", "humerus", "radius", "ulna", "carpal", "carpals", "scaphoid",
    "lunate", "triquetral", "triquetrum", "pisiform", "trapezium", "trapezoid", "capitate", "hamate",
    "metacarpal", "metatarsal", "phalanx", "phalanges", "calcaneus", "talus", "navicular", "cuboid",
    "cuneiform", "sesamoid", "vertebra", "vertebrae", "atlas", "axis", "sacrum", "coccyx", "rib", "ribs",
    "sternum", "manubrium", "xiphoid", "clavicle", "scapula", "ilium", "ischium", "pubis", "pelvis", "skull",
    "cranium", "mandible", "maxilla", "sphenoid", "ethmoid", "vomer", "zygomatic", "lacrimal", "palatine",
    "concha", "hyoid", "malleus", "incus", "stapes", "tarsal", "tarsals",
}
# words that make a bone name only together with "bone" or alone as the whole name ("Frontal bone")
BONE_NAME_ONLY = {"frontal", "parietal", "occipital", "temporal", "nasal", "hip"}

ORGAN_WORDS = {
    "heart", "liver", "kidney", "kidneys", "lung", "lungs", "spleen", "stomach", "pancreas", "intestine",
    "colon", "bladder", "esophagus", "oesophagus", "trachea", "bronchus", "thyroid", "gland", "uterus",
    "ovary", "prostate", "eye", "eyeball", "tongue", "larynx", "pharynx", "gallbladder", "duodenum",
}
BRAIN_WORDS = {"brain", "cerebrum", "cerebellum", "hippocampus", "thalamus", "brainstem", "cerebral"}

# folder and dataset-group names -> preset
GROUP_WORDS = {
    "bone": "bone", "bones": "bone", "skeleton": "bone", "skeletal": "bone", "osseous": "bone",
    "muscle": "muscle", "muscles": "muscle", "muscular": "muscle", "musculature": "muscle",
    "tendon": "tendon", "tendons": "tendon", "ligament": "ligament", "ligaments": "ligament",
    "cartilage": "cartilage", "cartilages": "cartilage", "vessels": "artery", "arteries": "artery",
    "artery": "artery", "veins": "vein", "vein": "vein", "nerves": "nerve", "nerve": "nerve", "organs": "organ",
    "viscera": "organ", "skin": "skin", "fat": "fat",
}


def words_of(text: str) -> list[str]:
    """Lower-case words of a name: splits on anything but letters and digits, and on camelCase."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _has_phrase(words: list[str], phrase: str) -> bool:
    target = phrase.split()
    return any(words[i : i + len(target)] == target for i in range(len(words) - len(target) + 1))


def tissue_from_name(name: str) -> str | None:
    """The preset a name itself implies (levels 1 and 2 of the module docstring), or None."""
    words = words_of(name)
    for phrases, preset in EXPLICIT[:-2]:  # everything but the generic "muscle" / "bone"
        if any(_has_phrase(words, p) for p in phrases):
            return preset
    found = set(words)
    for phrases, preset in EXPLICIT[-2:]:
        if any(_has_phrase(words, p) for p in phrases):
            return preset
    if found & MUSCLE_WORDS:
        return "muscle"
    if found & BONE_WORDS or (found & BONE_NAME_ONLY and len(found - {"left", "right"}) == 1):
        return "bone"
    return None


def tissue_from_group(group: str | None) -> str | None:
    """Preset of a folder or dataset group name ("bones", "Muscles", "skeletal_system"), or None."""
    for word in words_of(group or ""):
        if word in GROUP_WORDS:
            return GROUP_WORDS[word]
    return None


def organ_from_name(name: str) -> str | None:
    found = set(words_of(name))
    if found & BRAIN_WORDS:
        return "brain_grey_matter"
    if found & ORGAN_WORDS:
        return "organ"
    return None


def guess_tissue(name: str, groups: list[str] = ()) -> tuple[str, str]:
    """(preset, why) from a structure's name and the group names around it (dataset group first,
    then folders, nearest first). `why` says which evidence decided, for the comment in the scene."""
    preset = tissue_from_name(name)
    if preset is not None:
        return preset, "name"
    for group in groups:
        preset = tissue_from_group(group)
        if preset is not None:
            return preset, f"group '{group}'"
    preset = organ_from_name(name)
    if preset is not None:
        return preset, "name"
    return "organ", "default"


def guess_preset(name: str) -> str:
    """The preset for a name alone (kept for callers of the first scaffold)."""
    return guess_tissue(name)[0]
