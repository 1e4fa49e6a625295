import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startServer } from '../helpers/server.js';

t.test('a full API session leaves no secret in the logs', async (t) => {
  const dir = t.testdir();
  const server = await startServer(t, dir, { DIALTONE_LOG_LEVEL: 'trace' });
  const secrets: string[] = [server.token];
  const ok = async (p: Promise<{ status: number; text: string; json: any }>, status = 200) => {
    const r = await p;
    t.equal(r.status, status, r.text);
    return r.json;
  };

  const site = await ok(server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } }), 201);
  const pin = '739162';
  secrets.push(pin);
  const emp = await ok(
    server.api('POST', '/employees', {
      body: { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', authorizedUser: true, pin, device: { mac: '001565000010', model: 'generic' } },
    }),
    201,
  );
  secrets.push(emp.device.credentials.password, emp.device.credentials.provisioning.password);
  const dev = await ok(server.api('POST', '/devices', { body: { mac: '001565000011', model: 'generic', employeeId: emp.id } }), 201);
  secrets.push(dev.credentials.password, dev.credentials.provisioning.password);
  const read = await ok(server.api('GET', '/devices/001565000011/credentials'));
  t.same(read, dev.credentials);
  const rotated = await ok(server.api('POST', '/devices/001565000011/credentials'));
  secrets.push(rotated.password, rotated.provisioning.password);
  const reprov = await ok(server.api('POST', '/devices/001565000010/reprovision', { body: { rotateCredentials: true } }));
  secrets.push(reprov.credentials.password, reprov.credentials.provisioning.password);
  const newPin = '204817';
  secrets.push(newPin);
  await ok(server.api('PATCH', `/employees/${emp.id}`, { body: { pin: newPin } }));
  // Refusals echo what was wrong; they must not echo a PIN or a token.
  await ok(server.api('PATCH', `/employees/${emp.id}`, { body: { pin: '55' } }), 400);
  const wrongToken = 'dt_thisIsNotTheTokenButLooksLikeOne0123456789';
  secrets.push(wrongToken);
  await ok(server.api('GET', '/sites', { token: wrongToken }), 401);
  await ok(server.api('GET', '/sites', { token: null, headers: { authorization: `Basic ${Buffer.from(`admin:${pin}`).toString('base64')}` } }), 401);
  secrets.push(Buffer.from(`admin:${pin}`).toString('base64'));
  await ok(server.api('GET', '/employees'));
  await ok(server.api('GET', '/devices'));
  t.equal(await server.stop(), 0);

  secrets.push((await readFile(join(dir, 'data', 'secret.key'), 'utf8')).trim());
  const logs = server.logs.join('\n');
  t.ok(server.logs.length > 20, `collected ${server.logs.length} log lines`);
  t.match(logs, /"url":"\/api\/v1\/devices\/001565000011\/credentials"/, 'requests are logged');
  for (const secret of secrets) t.notOk(logs.includes(secret), `secret ${secret.slice(0, 3)}… absent from logs`);
});
