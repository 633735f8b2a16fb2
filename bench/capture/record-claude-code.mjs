// Captures the request bodies the pinned Claude Code CLI sends, for the translation benchmarks.
// Starts a recording fake Anthropic API on 127.0.0.1, runs `claude -p` twice in a temporary HOME and
// working directory (a first turn, then `--continue` for the next turn of the same conversation), and
// writes the two /v1/messages bodies, scrubbed of machine paths and user names, to bench/bodies/.
//
//   node bench/capture/record-claude-code.mjs        (needs tools/clients/node_modules, see test.sh)
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const claude = path.join(root, 'tools', 'clients', 'node_modules', '.bin', 'claude');
const version = JSON.parse(fs.readFileSync(path.join(root, 'tools', 'clients', 'node_modules', '@anthropic-ai', 'claude-code', 'package.json'), 'utf8')).version;
const outDir = path.join(root, 'bench', 'bodies');
const recorded = [];

function sse(res, text) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = 'msg_capture' + recorded.length;
  const events = [
    ['message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', content: [], model: 'claude-sonnet-4-5', stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 12 } }],
    ['message_stop', { type: 'message_stop' }],
  ];
  for (const [name, data] of events) res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  res.end();
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    recorded.push({ method: req.method, url: req.url, body });
    if (req.method === 'POST' && req.url.startsWith('/v1/messages/count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"input_tokens":1000}');
    } else if (req.method === 'POST' && req.url.startsWith('/v1/messages')) {
      const parsed = JSON.parse(body);
      const reply = 'Hello! How can I help you today?';
      if (parsed.stream) sse(res, reply);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'msg_capture', type: 'message', role: 'assistant', model: parsed.model, content: [{ type: 'text', text: reply }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 12 } }));
      }
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"type":"error","error":{"type":"not_found_error","message":"not recorded"}}');
    }
  });
});

await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'inflight-capture-home-'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inflight-capture-work-'));
const env = {
  PATH: process.env.PATH,
  HOME: home,
  CLAUDE_CONFIG_DIR: path.join(home, '.claude'),
  ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`,
  ANTHROPIC_API_KEY: 'sk-ant-capture-dummy',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_AUTOUPDATER: '1',
  NO_PROXY: '127.0.0.1',
  // Every tool definition inline, as an interactive session with tool search off sends them (the largest body).
  ENABLE_TOOL_SEARCH: process.env.ENABLE_TOOL_SEARCH ?? 'false',
};

function run(args) {
  return new Promise((resolve) => {
    // Asynchronous so this process keeps serving the fake API while the CLI runs.
    import('node:child_process').then(({ spawn }) => {
      const child = spawn(claude, args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
    });
  });
}

const first = await run(['-p', 'hi', '--model', 'sonnet']);
const firstCount = recorded.length;
const second = await run(['-p', '--continue', 'thanks, and what can you do?', '--model', 'sonnet']);
server.close();
console.log(`first run exit ${first.code}: ${first.out.trim()}`);
console.log(`second run exit ${second.code}: ${second.out.trim()}`);
for (const r of recorded) console.log(`${r.method} ${r.url} ${r.body.length} chars`);

// The conversation turn is the largest /v1/messages body of each run (the CLI may send small side requests).
const turns = (list) => list.filter((r) => r.method === 'POST' && /^\/v1\/messages(\?|$)/.test(r.url)).sort((a, b) => b.body.length - a.body.length)[0];
const user = os.userInfo().username;
function scrub(text) {
  // Paths, and the CLI's per-project folder name derived from the working directory's path.
  const slug = (p) => p.replace(/[^a-zA-Z0-9]/g, '-');
  for (const [from, to] of [[work, '/home/user/project'], [slug(work), slug('/home/user/project')], [home, '/home/user'], [os.tmpdir(), '/tmp'], [os.hostname(), 'host']]) text = text.split(from).join(to);
  // The install's random device id (a fresh temporary HOME each capture).
  text = text.replace(/\\"device_id\\":\\"[0-9a-f]+\\"/g, '\\"device_id\\":\\"' + '0'.repeat(64) + '\\"');
  if (user && user.length > 2) text = text.replace(new RegExp(`\\b${user}\\b`, 'g'), 'user');
  return text;
}

fs.mkdirSync(outDir, { recursive: true });
for (const [name, turn] of [['messages', turns(recorded.slice(0, firstCount))], ['messages-next-turn', turns(recorded.slice(firstCount))]]) {
  if (!turn) throw new Error(`no /v1/messages request recorded for ${name}`);
  // Re-serialized compactly, as the CLI sends it; only scrubbed strings change.
  const body = JSON.stringify(JSON.parse(scrub(turn.body)));
  const file = path.join(outDir, `claude-code-${version}-${name}.json`);
  fs.writeFileSync(file, body);
  console.log(`wrote ${path.relative(root, file)} (${Buffer.byteLength(body)} bytes)`);
}
fs.rmSync(home, { recursive: true, force: true });
fs.rmSync(work, { recursive: true, force: true });
