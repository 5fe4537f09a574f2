#!/usr/bin/env bash
# The main job on the bundled default scene: set up, check the scene, render it (mono and stereo).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
mkdir -p out
.venv/bin/prosector validate scenes/brain.yaml
.venv/bin/prosector render scenes/brain.yaml -o out/brain.png --size 1280x960
.venv/bin/prosector render scenes/brain.yaml -o out/brain-stereo.png --size 960x720 --stereo
.venv/bin/prosector info scenes/brain.yaml
echo "Images written to out/brain.png and out/brain-stereo.png"
