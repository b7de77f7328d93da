// A real server for the active-active labs (docs/bgp.md): `node flow-server.mjs NAME ADDRESS PORT`.
// TCP; every line it reads is answered with `NAME PEER\n`, PEER being the address the connection
// came from: the director's own address behind the embedded dispatcher (a proxy), the client's
// behind IPVS. Prints `listening NAME` once bound. Runs until killed.
import { createServer } from 'node:net';

const [name = 'rs', address = '127.0.0.1', port = '7000'] = process.argv.slice(2);
const server = createServer((sock) => {
  const peer = (sock.remoteAddress ?? '?').replace(/^::ffff:/, '');
  let buf = '';
  sock.setNoDelay(true);
  sock.on('data', (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      buf = buf.slice(nl + 1);
      sock.write(`${name} ${peer}\n`);
    }
    if (buf.length > 4096) sock.destroy();
  });
  sock.on('error', () => sock.destroy());
});
server.listen(Number(port), address, () => process.stdout.write(`listening ${name}\n`));
