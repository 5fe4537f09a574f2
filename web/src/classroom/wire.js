// The classroom's messages as the page speaks them: the same msgpack maps, limits and checks as
// Prosector's renderer/classroom/protocol.py (PROTOCOL_VERSION 1). A message that fails a check throws
// WireError with the field's name; the link drops it and counts it, and the connection stays.
// Units: metres, scene space (Y up); placement is a row-major 4x4 (scene -> room).
import { Decoder, encode } from '@msgpack/msgpack'; // the npm reference implementation: typed, no code run on decode

export const PROTOCOL_VERSION = 1;
export const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_CLIP_PLANES = 6;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const ID = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const LANG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const DIGEST = /^[0-9a-f]{64}$/;
// Messages for other participants that a web follower may see and ignores (it holds its lesson).
const IGNORED = new Set(['bundle_request', 'bundle_chunk', 'hello']);

export class WireError extends Error {}

const decoder = new Decoder({ maxStrLength: MAX_MESSAGE_BYTES, maxBinLength: MAX_MESSAGE_BYTES,
  maxArrayLength: 4096, maxMapLength: 64, maxExtLength: 0 });

const isMap = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

function floats(value, count, what) {
  if (!Array.isArray(value) || value.length !== count) throw new WireError(`${what} must be ${count} numbers`);
  for (const v of value) {
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 1e6) {
      throw new WireError(`${what} must be ${count} finite numbers`);
    }
  }
  return value.slice();
}

function optionalNumber(value, what) {
  if (value !== null && value !== undefined && !(typeof value === 'number' && Number.isFinite(value))) {
    throw new WireError(`${what} must be a number`);
  }
  return value ?? null;
}

function lessonState(data) {
  if (!isMap(data)) throw new WireError('state must be a map');
  const step = data.step ?? null;
  if (step !== null && !(Number.isInteger(step) && step >= 0 && step < 10000)) {
    throw new WireError('state.step must be a whole number from 0, or nil');
  }
  const language = data.language ?? null;
  if (language !== null && !(typeof language === 'string' && LANG.test(language))) {
    throw new WireError('state.language must be a language code such as en or zh');
  }
  const highlight = data.highlight ?? [];
  const partId = (h) => typeof h === 'string' && ID.test(h);
  if (!Array.isArray(highlight) || highlight.length > 512 || !highlight.every(partId)) {
    throw new WireError('state.highlight must be a list of part ids');
  }
  const planes = data.clip_planes ?? [];
  if (!Array.isArray(planes) || planes.length > MAX_CLIP_PLANES) {
    throw new WireError(`state.clip_planes must be a list of at most ${MAX_CLIP_PLANES} planes`);
  }
  const placement = data.placement ?? null;
  return { step, language, highlight: highlight.slice(),
    clip_planes: planes.map((p) => floats(p, 4, 'state.clip_planes[]')),
    placement: placement === null ? null : floats(placement, 16, 'state.placement') };
}

function pose(data) {
  if (!isMap(data)) throw new WireError('pose must be a map');
  const origin = data.pointer_origin ?? null;
  const direction = data.pointer_direction ?? null;
  if ((origin === null) !== (direction === null)) {
    throw new WireError('pose.pointer_origin and pose.pointer_direction go together');
  }
  return { head_eye: floats(data.head_eye, 3, 'pose.head_eye'),
    head_target: floats(data.head_target, 3, 'pose.head_target'),
    pointer_origin: origin && floats(origin, 3, 'pose.pointer_origin'),
    pointer_direction: direction && floats(direction, 3, 'pose.pointer_direction') };
}

const CHECKS = {
  welcome: (raw) => {
    if (typeof raw.id !== 'string') throw new WireError('welcome.id must be a text');
    return { id: raw.id, version: raw.version ?? null, holder: typeof raw.holder === 'string' ? raw.holder : null };
  },
  error: (raw) => ({ reason: typeof raw.reason === 'string' ? raw.reason.slice(0, 500) : 'unknown' }),
  state: (raw) => {
    const seq = raw.seq ?? 0;
    if (!(Number.isInteger(seq) && seq >= 0)) throw new WireError('state.seq must be a whole number from 0');
    const bundle = raw.bundle ?? null;
    if (bundle !== null && !(typeof bundle === 'string' && DIGEST.test(bundle))) {
      throw new WireError('state.bundle must be a SHA-256 hex digest');
    }
    return { state: lessonState(raw.state), seq, sent_ms: optionalNumber(raw.sent_ms, 'state.sent_ms'), bundle };
  },
  pose: (raw) => ({ pose: pose(raw.pose), sent_ms: optionalNumber(raw.sent_ms, 'pose.sent_ms') }),
  control: (raw) => {
    const holder = raw.holder ?? null;
    if (holder !== null && !(typeof holder === 'string' && holder.length <= 64)) {
      throw new WireError('control.holder must be a client name or nil');
    }
    return { holder };
  },
};

// One message from the relay: {type, ...checked fields}; {type, ignored: true} for other peers' traffic.
export function decodeMessage(data) {
  if (typeof data === 'string') throw new WireError('text frames are not part of the protocol (binary msgpack only)');
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  if (!(bytes instanceof Uint8Array)) throw new WireError('a message is a binary frame');
  if (bytes.byteLength > MAX_MESSAGE_BYTES) {
    throw new WireError(`message of ${bytes.byteLength} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  let raw;
  try {
    raw = decoder.decode(bytes);
  } catch (error) {
    throw new WireError(`not msgpack: ${error.name || 'error'}`);
  }
  if (!isMap(raw) || typeof raw.t !== 'string') throw new WireError('a message is a map with a type `t`');
  if (IGNORED.has(raw.t)) return { type: raw.t, ignored: true };
  const check = Object.prototype.hasOwnProperty.call(CHECKS, raw.t) ? CHECKS[raw.t] : null;
  if (!check) throw new WireError(`unknown message type ${JSON.stringify(raw.t.slice(0, 32))}`);
  return { type: raw.t, ...check(raw) };
}

export function helloMessage(room, token) {
  if (!NAME.test(room)) throw new WireError('the room name has letters, digits and ._- only (up to 64)');
  if (!token || token.length > 256) throw new WireError('the token is a text of 1 to 256 characters');
  return encode({ t: 'hello', version: PROTOCOL_VERSION, role: 'follow', room, token, client: 'web' });
}
