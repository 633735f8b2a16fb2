// Starts Portkey's open-source gateway bound to 127.0.0.1 only. Its start script listens on every
// interface and has no host option, so listen() gets the loopback address put in first.
// Usage: node portkey-loopback.mjs <path to start-server.js> --port=NNNN --headless
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    args.splice(1, args[1] === undefined ? 1 : 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};

// Node 20's fetch returns responses whose headers are immutable, and Portkey 1.15.2 appends its
// x-portkey-* headers to a passed-through streaming response ("TypeError: immutable", a 500 for
// every stream). Re-wrapping each upstream response gives it mutable headers; the body stream is
// handed over as is, so nothing is buffered or copied.
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await realFetch(...args);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

const [script, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], script, ...rest];
await import(pathToFileURL(script).href);
