// A real server for the netns dispatcher tests: `node backend.mjs NAME ADDRESS PORT FLAGDIR`. GET /
// answers NAME; GET /health answers 200, or 500 while FLAGDIR/NAME.fail exists. Keep-alive
// connections stay open for a minute, so a test can hold one across a table change.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const [name = 'rs', address = '127.0.0.1', port = '8080', flags = '/tmp'] = process.argv.slice(2);
const server = createServer((req, res) => {
  if (req.url === '/health') res.statusCode = existsSync(join(flags, `${name}.fail`)) ? 500 : 200;
  res.end(name);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), address, () => process.stdout.write(`listening ${name}\n`));
