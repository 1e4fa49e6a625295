import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from './client.js';
import { runServer } from './server.js';
const dir = await mkdtemp(join(tmpdir(), 'ka-'));
const s = await runServer(dir, { DIALTONE_STORE: 'json', DIALTONE_LOG_LEVEL: 'info' });
execFileSync('taskset', ['-a', '-p', '-c', '0', String(s.pid)], { stdio: 'ignore' });
let port = 0;
for (const line of s.tail().split('\n')) { try { const r = JSON.parse(line); if (r.msg === 'listening' && r.service === 'https') port = r.port; } catch {} }
const admin = new Client(s.port, s.ca, 1);
const site = await admin.call('POST', '/sites', { name: 'B', timeZone: 'America/New_York', address: { line1: '1 Main St', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' } });
await admin.call('POST', '/employees', { siteId: (site.json as any).id, firstName: 'A', lastName: 'B', username: 'ab', phoneNumber: '+1 212 736 5000', device: { mac: '805ec0000001', model: 'yealink-t46s' } });
admin.close();
const out = spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c20', `-d${process.env.SECS ?? 6}s`, `https://127.0.0.1:${port}/${process.env.FILE ?? '805ec0000001.cfg'}`], { encoding: 'utf8' });
console.log(out.stdout.split('\n').filter((l) => /Requests\/sec|Non-2xx/.test(l)).join('\n'));
await s.stop();
