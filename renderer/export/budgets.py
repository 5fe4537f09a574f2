"""Size and triangle budgets per class of device a student may open the lesson on.

Triangles: Meta's guidance for Quest 2 is 750k-1M triangles a frame (LookSee stays under 700k-900k);
phones in a browser share a weaker GPU with the page, so a third of that; desktops draw millions.
Bytes: what a classroom with poor bandwidth downloads or copies in reasonable time (phone over
mobile data, Quest over school Wi-Fi, desktop from a USB stick or a LAN).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceBudget:
    name: str
    max_triangles: int
    max_bytes: int
    position_bits: int  # gltfpack quantisation of positions (14 = 1/16384 of the mesh's extent)

    @property
    def max_megabytes(self) -> float:
        return self.max_bytes / 1e6


BUDGETS: dict[str, DeviceBudget] = {
    "phone": DeviceBudget("phone", 250_000, 8_000_000, 12),
    "quest": DeviceBudget("quest", 750_000, 25_000_000, 14),
    "desktop": DeviceBudget("desktop", 3_000_000, 80_000_000, 16),
}
MOLECULE_SHARE = 0.5  # of the triangle budget that tessellated atoms and bonds may take together
