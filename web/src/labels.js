// Labels with leader lines: HTML boxes over the canvas on screen, text sprites in VR.
import * as THREE from 'three';

const SVG = 'http://www.w3.org/2000/svg';
const GAP_PX = 6;

export function createLabelLayer(container) {
  const layer = document.createElement('div');
  layer.className = 'labels';
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'leaders');
  layer.appendChild(svg);
  container.appendChild(layer);
  return { layer, svg, items: [] };
}

export function setLabels(labels, state, lang) {
  for (const item of labels.items) item.box.remove();
  labels.svg.replaceChildren();
  labels.items = state.labels.map((label) => {
    const box = document.createElement('div');
    box.className = 'label';
    box.textContent = label.text[lang] || Object.values(label.text)[0] || label.target;
    box.dataset.target = label.target;
    labels.layer.appendChild(box);
    const line = document.createElementNS(SVG, 'line');
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('r', '3');
    labels.svg.append(line, dot);
    return { label, box, line, dot, anchor: new THREE.Vector3(...label.anchor_m) };
  });
}

// Boxes go left or right of the view's centre, beside their anchors, pushed apart vertically.
export function layoutLabels(labels, camera, world, width, height) {
  const placed = [];
  const point = new THREE.Vector3();
  for (const item of labels.items) {
    point.copy(item.anchor).applyMatrix4(world.matrixWorld).project(camera);
    const visible = point.z > -1 && point.z < 1 && Math.abs(point.x) < 1.2 && Math.abs(point.y) < 1.2;
    item.box.style.display = item.line.style.display = item.dot.style.display = visible ? '' : 'none';
    if (!visible) continue;
    const ax = (point.x * 0.5 + 0.5) * width;
    const ay = (-point.y * 0.5 + 0.5) * height;
    const w = item.box.offsetWidth;
    const h = item.box.offsetHeight;
    const left = ax < width / 2;
    const x = left ? Math.max(4, Math.min(ax - 60 - w, width * 0.3 - w)) : Math.min(width - w - 4, Math.max(ax + 60, width * 0.7));
    placed.push({ item, ax, ay, x, y: ay - h / 2 - 30, w, h, left });
  }
  placed.sort((a, b) => a.y - b.y);
  for (let i = 0; i < placed.length; i++) {
    placed[i].y = Math.max(4, placed[i].y);
    for (let j = 0; j < i; j++) {
      const a = placed[j];
      const b = placed[i];
      if (a.left === b.left && b.y < a.y + a.h + GAP_PX) b.y = a.y + a.h + GAP_PX;
    }
  }
  for (const p of placed) {
    p.item.box.style.transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px)`;
    const ex = p.left ? p.x + p.w : p.x;
    const ey = p.y + p.h / 2;
    for (const [k, v] of [['x1', p.ax], ['y1', p.ay], ['x2', ex], ['y2', ey]]) p.item.line.setAttribute(k, v);
    p.item.dot.setAttribute('cx', p.ax);
    p.item.dot.setAttribute('cy', p.ay);
  }
}

function textSprite(text, font) {
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d');
  const px = 48;
  context.font = `${px}px ${font}`;
  const width = Math.ceil(context.measureText(text).width) + 32;
  canvas.width = width;
  canvas.height = px + 24;
  context.font = `${px}px ${font}`;
  context.fillStyle = 'rgba(20, 22, 26, 0.85)';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = '#f4f4f0';
  context.textBaseline = 'middle';
  context.fillText(text, 16, canvas.height / 2);
  const texture = new THREE.CanvasTexture(canvas);
  texture.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: texture, depthTest: false }));
  sprite.userData.aspect = canvas.width / canvas.height;
  sprite.renderOrder = 10;
  return sprite;
}

// In VR the HTML layer is not seen: labels become sprites above their anchors, with a leader line.
export function xrLabels(group, state, lang, sceneSize, font) {
  for (const child of [...group.children]) {
    group.remove(child);
    child.traverse((o) => {
      if (o.material) { if (o.material.map) o.material.map.dispose(); o.material.dispose(); }
      if (o.geometry) o.geometry.dispose();
    });
  }
  const height = sceneSize * 0.045;
  state.labels.forEach((label, index) => {
    const anchor = new THREE.Vector3(...label.anchor_m);
    const sprite = textSprite(label.text[lang] || label.target, font);
    sprite.scale.set(height * sprite.userData.aspect, height, 1);
    const lift = sceneSize * (0.18 + 0.06 * (index % 3));
    sprite.position.copy(anchor).add(new THREE.Vector3(0, lift, 0));
    const geometry = new THREE.BufferGeometry().setFromPoints([anchor, sprite.position.clone()]);
    const line = new THREE.Line(geometry, new THREE.LineBasicMaterial({ color: 0xf4f4f0, depthTest: false }));
    line.renderOrder = 10;
    group.add(sprite, line);
  });
}
