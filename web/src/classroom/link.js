// The page's connection to the classroom relay: a WebSocket out (so it works where inbound ports are
// blocked), the hello with version and token, then the teacher's state and poses. Reconnects with
// back-off after a drop or a relay restart (the relay resends the room's newest state on join);
// stops for good when the relay refuses (wrong token, other protocol version). Malformed messages
// are dropped and counted; the connection stays.
import { decodeMessage, helloMessage, PROTOCOL_VERSION, WireError } from './wire.js';

const BACKOFF_MS = [200, 500, 1000, 2000]; // as Prosector's own client (renderer/classroom/client.py)
const WELCOME_TIMEOUT_MS = 10000;
// Refusals that trying again cannot mend. (4000, a hello the relay did not take, is retried: the page's
// hello is checked before it goes, so that can only be one sent too late by a page busy drawing.)
const REFUSALS = { 4001: 'other protocol version', 4003: 'wrong token for this room' };

// options: {relay, room, token, onState(received), onPose(pose), onStatus(status)}. Returns the
// link's live status (also what tests read): {phase, connects, states, poses, dropped, refused, ...}.
export function connectClassroom(options) {
  const status = { phase: 'connecting', relay: options.relay, room: options.room, id: null, connects: 0,
    states: 0, poses: 0, dropped: 0, lastDropped: null, refused: null, closed: false };
  let socket = null;
  let attempt = 0;
  let timer = null;
  const report = (phase) => { status.phase = phase; options.onStatus(status); };
  status.close = () => {
    status.closed = true;
    clearTimeout(timer);
    if (socket) socket.close(1000);
    status.phase = 'closed';
  };
  let hello;
  try {
    hello = helloMessage(options.room, options.token);
  } catch (error) { // a room name or token the relay would refuse: say so before connecting
    status.refused = error.message;
    status.phase = 'refused';
    return status;
  }

  const refuse = (reason) => {
    status.refused = reason;
    report('refused');
  };
  const retry = () => {
    socket = null;
    if (status.closed || status.refused) return;
    report('reconnecting');
    timer = setTimeout(open, BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]);
    attempt += 1;
  };

  const handle = (message, ws) => {
    if (message.ignored) return;
    if (message.type === 'error') {
      status.refusalText = message.reason; // the close frame that follows carries the code
    } else if (message.type === 'welcome') {
      if (message.version !== null && message.version !== PROTOCOL_VERSION) {
        refuse(`the relay speaks protocol ${message.version}, this page ${PROTOCOL_VERSION}: export the page again`);
        ws.close(1000);
        return;
      }
      clearTimeout(ws.welcomeTimer);
      attempt = 0;
      status.id = message.id;
      status.connects += 1;
      report('connected');
    } else if (message.type === 'state') {
      status.states += 1;
      options.onState(message);
    } else if (message.type === 'pose') {
      status.poses += 1;
      options.onPose(message.pose);
    }
  };

  function open() {
    let ws;
    try {
      ws = new WebSocket(options.relay);
    } catch (error) { // a malformed address: nothing to retry
      refuse(`the relay address is not a ws:// or wss:// URL (${error.message})`);
      return;
    }
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      ws.send(hello);
      ws.welcomeTimer = setTimeout(() => ws.close(4000, 'no welcome'), WELCOME_TIMEOUT_MS);
    };
    ws.onmessage = (event) => {
      if (status.closed) return;
      let message;
      try {
        message = decodeMessage(event.data);
      } catch (error) {
        if (!(error instanceof WireError)) throw error;
        status.dropped += 1;
        status.lastDropped = error.message;
        console.warn(`classroom: dropped a message from the relay: ${error.message}`);
        options.onStatus(status);
        return;
      }
      handle(message, ws);
    };
    ws.onclose = (event) => {
      clearTimeout(ws.welcomeTimer);
      if (socket !== ws) return;
      if (REFUSALS[event.code] && status.phase !== 'connected') {
        refuse(status.refusalText || event.reason || REFUSALS[event.code]);
        return;
      }
      retry();
    };
  }

  open();
  return status;
}
