// The client of the netns dispatcher tests: `node client.mjs URL MODE [TIMEOUT_MS] [PAUSE_MS]`. MODE
// `fresh`: one request per new connection, back to back (or PAUSE_MS apart); MODE `keepalive`: every
// request on the same connection, every 200 ms. A request not answered within TIMEOUT_MS (default 3000)
// fails. Prints one JSON line per request: { t (ms, wall clock), ok, body | error, port (the client's
// local port) }. Runs until killed.
import { Agent, request } from 'node:http';

const [url = 'http://127.0.0.1/', mode = 'fresh', timeoutMs = '3000', pauseMs = '0'] = process.argv.slice(2);
const agent = new Agent({ keepAlive: mode === 'keepalive', maxSockets: 1 });

function once() {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: Number(timeoutMs) }, (res) => {
      const port = res.socket?.localPort;
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200, body, port }));
      res.on('error', (e) => resolve({ ok: false, error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    req.end();
  });
}

for (;;) {
  const t = Date.now();
  const r = await once();
  process.stdout.write(`${JSON.stringify({ t, ...r })}\n`);
  const pause = mode === 'keepalive' ? 200 : Number(pauseMs);
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
}
