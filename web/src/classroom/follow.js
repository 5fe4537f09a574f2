// Following a classroom from the exported page: the relay, room and token come from the address's
// fragment (#relay=wss://...&room=...&token=..., never sent to a web server) or the "Join a class"
// form; the page then shows the teacher's step, language, highlight, clip planes and placement, and
// with "Teacher's view" looks through the teacher's eyes. It holds its own copy of the lesson, so it
// checks that the room leads that lesson (the SHA-256 of the lesson bundle, as the teacher's Prosector
// names it) and says so plainly when not. Without any of this the page works offline as before.
import { connectClassroom } from './link.js';

const TEXT = {
  join: 'Join a class', relay: 'Relay', room: 'Room', token: 'Token', go: 'Join',
  teacherView: "Teacher's view", freeView: 'Free view',
  connecting: (room) => `Connecting to class ${room}…`,
  following: (room) => `Following the teacher of class ${room}.`,
  waiting: (room) => `Joined class ${room}; waiting for the teacher.`,
  reconnecting: 'Connection to the class lost; reconnecting…',
  unreachable: (relay) => `Cannot reach the class relay at ${relay}; trying again…`,
  refused: (why) => `The class relay refused this page: ${why}. Check the room and token with your teacher.`,
  badRelay: 'The relay address must start with ws:// or wss://, e.g. wss://relay.school.example:8765',
  mixed: 'This page was opened over https, so it can only reach a wss:// relay.',
  noId: 'This page was exported from a lesson whose files cannot travel to a classroom, so it cannot follow one.',
  teacherNoId: "The teacher's Prosector names no lesson; update Prosector on the teacher's machine.",
  other: (room) => `Class ${room} is following a different lesson from the one on this page ` +
    '(or a newer version of it). ' +
    'Ask your teacher for the page of this lesson, exported again with prosector export --web.',
};

function params() {
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const [relay, room, token] = ['relay', 'room', 'token'].map((k) => hash.get(k) || '');
  return { relay, room, token, view: hash.get('view') === 'teacher' ? 'teacher' : 'free' };
}

function createBox(panel, view) {
  const box = document.createElement('section');
  box.className = 'classroom';
  box.innerHTML = `<p class="classroom-status" role="status" hidden></p>
    <button class="classroom-view" type="button" hidden></button>
    <details class="classroom-join"><summary></summary><form>
      <label><span></span><input name="relay" placeholder="wss://relay.school.example:8765" required></label>
      <label><span></span><input name="room" required></label>
      <label><span></span><input name="token" type="password" autocomplete="off" required></label>
      <button type="submit"></button></form></details>`;
  box.querySelector('summary').textContent = TEXT.join;
  const names = [TEXT.relay, TEXT.room, TEXT.token];
  box.querySelectorAll('label span').forEach((span, i) => { span.textContent = names[i]; });
  box.querySelector('form button').textContent = TEXT.go;
  panel.appendChild(box);
  const alert = document.createElement('p');
  alert.id = 'classroom-alert';
  alert.setAttribute('role', 'alert');
  alert.hidden = true;
  view.appendChild(alert);
  return { box, alert, line: box.querySelector('.classroom-status'), toggle: box.querySelector('.classroom-view'),
    form: box.querySelector('form') };
}

// viewer: {lesson, firstFrame (a promise), beforeFrame(callback), follow(teacherState, teacherView),
// look(pose), setFreeControls(on)} from main.js. The page connects after its first frame: compiling the first
// shaders can hold a software-GL page for seconds, longer than a relay waits for a hello.
// status: the page's window.prosectorViewer; its `classroom` entry is what tests read.
export function startClassroom(panel, view, viewer, status) {
  const ui = createBox(panel, view);
  const own = viewer.lesson.classroom ? viewer.lesson.classroom.bundle : null;
  const state = { phase: 'offline', room: null, view: 'free', matches: null, message: '', applied: 0,
    step: null, states: 0, poses: 0, dropped: 0, lastDropped: null, connects: 0, teacher: null,
    latencies_ms: [], received_ms: [] }; // teacher's send to the frame showing it / to receipt, newest 1000
  status.classroom = state;
  let link = null;
  let pose = null;

  const say = (line, alert) => {
    state.message = alert || line || '';
    ui.line.hidden = !line;
    ui.line.textContent = line || '';
    ui.alert.hidden = !alert;
    ui.alert.textContent = alert || '';
  };
  const setView = (mode) => {
    state.view = mode;
    ui.toggle.textContent = mode === 'teacher' ? TEXT.freeView : TEXT.teacherView;
    viewer.setFreeControls(mode === 'free');
    if (mode === 'teacher' && pose && state.matches) viewer.look(pose);
  };
  ui.toggle.addEventListener('click', () => setView(state.view === 'teacher' ? 'free' : 'teacher'));

  const onStatus = (s) => {
    Object.assign(state, { phase: s.phase, connects: s.connects, states: s.states, poses: s.poses,
      dropped: s.dropped, lastDropped: s.lastDropped });
    if (s.phase === 'refused') say('', TEXT.refused(s.refused));
    else if (s.phase === 'reconnecting') {
      say(s.connects ? TEXT.reconnecting : TEXT.unreachable(s.relay), state.matches === false ? state.message : '');
    }
    else if (s.phase === 'connecting') say(TEXT.connecting(state.room));
    else if (s.phase === 'connected' && state.matches !== false) {
      say(state.applied ? TEXT.following(state.room) : TEXT.waiting(state.room));
    }
    ui.toggle.hidden = s.phase !== 'connected' || state.matches === false;
  };
  // Messages only note the newest state and pose; the viewer applies them once per frame, so a
  // teacher who steps (or moves) faster than a slow page draws costs it nothing but skipped frames.
  let pendingState = null;
  let pendingPose = null;
  const onState = (received) => {
    state.states = link ? link.states : state.states;
    if (received.sent_ms !== null) {
      state.received_ms = state.received_ms.slice(-999).concat(Date.now() - received.sent_ms);
    }
    pendingState = received;
  };
  const onPose = (next) => {
    state.poses = link ? link.poses : state.poses;
    pendingPose = next;
  };
  const applyState = (received) => {
    if (received.sent_ms !== null) { // publish to the frame that shows it (benchmarks/bench_classroom.py)
      state.latencies_ms = state.latencies_ms.slice(-999).concat(Date.now() - received.sent_ms);
    }
    const problem = own === null ? TEXT.noId : received.bundle === null ? TEXT.teacherNoId
      : received.bundle !== own ? TEXT.other(state.room) : null;
    state.matches = problem === null;
    if (problem) {
      ui.toggle.hidden = true;
      say('', problem);
      return;
    }
    state.teacher = received.state;
    state.applied += 1;
    state.step = viewer.follow(received.state, state.view === 'teacher');
    if (state.view === 'teacher' && pose) viewer.look(pose);
    ui.toggle.hidden = false;
    say(TEXT.following(state.room));
  };
  viewer.beforeFrame(() => {
    if (pendingState) applyState(pendingState);
    pendingState = null;
    if (pendingPose) {
      pose = pendingPose;
      pendingPose = null;
      if (state.view === 'teacher' && state.matches) viewer.look(pose);
    }
  });

  const join = ({ relay, room, token, view: mode }) => {
    if (link) link.close();
    link = null;
    pendingState = null;
    pendingPose = null;
    state.room = room;
    state.matches = null;
    state.applied = 0;
    setView(mode);
    if (!/^wss?:\/\//i.test(relay)) { say('', TEXT.badRelay); return; }
    if (window.location.protocol === 'https:' && /^ws:/i.test(relay)) { say('', TEXT.mixed); return; }
    link = connectClassroom({ relay, room, token, onState, onPose, onStatus });
    if (link.phase === 'refused') onStatus(link);
  };
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(ui.form));
    const hash = new URLSearchParams({ relay: data.relay, room: data.room, token: data.token, view: state.view });
    try { window.history.replaceState(null, '', `#${hash}`); } catch (e) { /* file:// in some browsers */ }
    ui.box.querySelector('details').open = false;
    join({ ...data, view: state.view });
  });
  const given = params();
  if (given.relay || given.room || given.token) {
    ui.form.relay.value = given.relay;
    ui.form.room.value = given.room;
    ui.form.token.value = given.token;
    viewer.firstFrame.then(() => join(given));
  }
}
