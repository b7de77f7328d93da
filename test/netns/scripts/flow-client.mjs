// The client of the active-active labs (docs/bgp.md):
//   node flow-client.mjs HOST PORT OUT [LOOPS] [PERSISTENT] [CONNECT_MS] [ANSWER_MS]
// appends JSON lines to OUT until SIGTERM:
// - LOOPS (default 4) loops of new flows, each back to back with 20 ms between: connect, send a
//   line, read the answer, close. One record per flow: { t, k: 'new', loop, ok, srv, peer, ms } or
//   { ..., ok: false, err, ms } (ms: how long it took, to its answer or its failure). Every flow has a new source port, so the router's ECMP hash spreads them.
// - PERSISTENT (default 8) long-lived connections, each sending a line every 100 ms and reading
//   the answer, closed and replaced after 2 to 4 s. Records: { t, k: 'open', id, srv, peer } when one is established (again),
//   { t, k: 'break', id, err, up, srv, peer } when one breaks (reset, closed, or no answer in ANSWER_MS; `up`
//   is how long it had worked, ms), then it reconnects; { t, k: 'fail', id, err } when an attempt
//   to (re)connect failed before its first answer; { t, k: 'gap', id, ms } when an answer came
//   more than 300 ms after the previous one on a connection that did not break.
// t is the wall clock in ms when the flow started (new) or the event happened.
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';

const [
  host = '127.0.0.1',
  portText = '7000',
  out = '/dev/stdout',
  loopsText = '4',
  persistentText = '8',
  timeoutText = '1000',
  answerText = '3000',
] = process.argv.slice(2);
const port = Number(portText);
// A connect gives up after CONNECT_MS (default 1 s, TCP's first SYN retransmission: a client
// whose SYN went to a dead director tries again then); an answer may take ANSWER_MS (default
// 3 s: a busy test machine can stall a proxy for a second without anything being broken).
const timeoutMs = Number(timeoutText);
const answerMs = Number(answerText);
let running = true;
const pending = [];
let flushTimer = null;

function record(r) {
  pending.push(JSON.stringify(r));
  flushTimer ??= setTimeout(flush, 50);
}
function flush() {
  flushTimer = null;
  if (pending.length > 0) appendFileSync(out, `${pending.splice(0).join('\n')}\n`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * `fn` after `ms`, but only once the I/O that was ready when the timer fired has been handled
 * (setImmediate runs after the poll phase): a client held up for longer than a timeout (a busy
 * test machine) must not call "timeout" an answer that is already waiting in its socket.
 */
const timeout = (fn, ms) => setTimeout(() => setImmediate(fn), ms);

/** One connection that answers `lines` requests in turn; resolves on each answer, rejects on failure. */
function open() {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, noDelay: true });
    const timer = timeout(() => {
      if (sock.connecting) fail(new Error('connect timeout'));
    }, timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    };
    sock.once('error', fail);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.off('error', fail);
      // A reset between two requests must not go unhandled (it would end the client): the next
      // request sees the socket closed.
      sock.on('error', () => {});
      resolve(sock);
    });
  });
}

/** Send a line on `sock`, resolve with the answer's words, reject on error, close or timeout. */
function ask(sock, line) {
  return new Promise((resolve, reject) => {
    if (sock.destroyed || !sock.writable) {
      reject(new Error(sock.errored?.code ?? 'closed'));
      return;
    }
    let buf = '';
    let finished = false;
    const done = (err, words) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
      if (err) reject(err);
      else resolve(words);
    };
    const onData = (c) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(null, buf.slice(0, nl).split(' '));
    };
    const onError = (e) => done(e);
    const onClose = () => done(new Error('closed'));
    const timer = timeout(() => done(new Error('answer timeout')), answerMs);
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
    sock.write(`${line}\n`);
  });
}

const errText = (e) => e.code ?? e.message;

async function newFlows(loop) {
  while (running) {
    const t = Date.now();
    let sock;
    try {
      sock = await open();
      const [srv, peer] = await ask(sock, `new ${loop}`);
      record({ t, k: 'new', loop, ok: true, srv, peer, ms: Date.now() - t });
    } catch (e) {
      record({ t, k: 'new', loop, ok: false, err: errText(e), ms: Date.now() - t });
    } finally {
      sock?.destroy();
    }
    await sleep(20);
  }
}

async function persistent(id) {
  while (running) {
    let sock;
    let since = 0;
    let srv = '';
    let peer = '';
    try {
      sock = await open();
      [srv, peer] = await ask(sock, `p ${id}`);
      since = Date.now();
      record({ t: since, k: 'open', id, srv, peer });
      let last = since;
      // Each lives 2 to 4 s and is replaced (a client's keep-alive connection), so that at any
      // time the long-lived connections are spread over the directors as new flows are.
      const life = 2000 + Math.random() * 2000;
      while (running && Date.now() - since < life) {
        await sleep(100);
        await ask(sock, `p ${id}`);
        const now = Date.now();
        if (now - last > 300) record({ t: now, k: 'gap', id, ms: now - last });
        last = now;
      }
    } catch (e) {
      // Broken: it had worked. A connection that never got its first answer is a failed attempt.
      if (running && since > 0)
        record({ t: Date.now(), k: 'break', id, err: errText(e), up: Date.now() - since, srv, peer });
      else if (running) record({ t: Date.now(), k: 'fail', id, err: errText(e) });
      await sleep(100);
    } finally {
      sock?.destroy();
    }
  }
}

// SIGTERM: every loop ends after its current step (at most ANSWER_MS), the last records are written.
process.on('SIGTERM', () => {
  running = false;
});
process.stdout.write('started\n');
const loops = Number(loopsText);
const conns = Number(persistentText);
for (let i = 0; i < loops; i++) void newFlows(i);
for (let i = 0; i < conns; i++) void persistent(i);
