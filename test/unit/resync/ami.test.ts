import { createServer, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { amiSender } from '../../../src/resync/ami.js';
import type { NotifyTarget } from '../../../src/resync/sender.js';

type Packet = Record<string, string[]>;

/**
 * A small stand-in for Asterisk's manager interface: greets, logs in `admin`/`s3cret`, answers
 * PJSIPNotify for endpoints it knows, sends an unrelated event first (as Asterisk does), and
 * records every packet it was sent.
 */
async function fakeAmi(t: Test, endpoints: string[]) {
  const packets: Packet[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = '';
    let loggedIn = false;
    socket.write('Asterisk Call Manager/7.0.3\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (let end = buffer.indexOf('\r\n\r\n'); end !== -1; end = buffer.indexOf('\r\n\r\n')) {
        const p: Packet = {};
        for (const line of buffer.slice(0, end).split('\r\n')) {
          const [k, ...v] = line.split(': ');
          (p[k!] ??= []).push(v.join(': '));
        }
        buffer = buffer.slice(end + 4);
        packets.push(p);
        const id = p.ActionID?.[0] ?? '';
        const reply = (fields: string[]) => socket.write(`${fields.join('\r\n')}\r\nActionID: ${id}\r\n\r\n`);
        switch (p.Action?.[0]) {
          case 'Login':
            loggedIn = p.Username?.[0] === 'admin' && p.Secret?.[0] === 's3cret';
            socket.write('Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n');
            reply(loggedIn ? ['Response: Success', 'Message: Authentication accepted'] : ['Response: Error', 'Message: Authentication failed']);
            if (!loggedIn) socket.end();
            break;
          case 'PJSIPNotify':
            if (!loggedIn) reply(['Response: Error', 'Message: Permission denied']);
            else if (endpoints.includes(p.Endpoint?.[0] ?? '')) reply(['Response: Success', 'Message: NOTIFY sent']);
            else reply(['Response: Error', `Message: Unable to retrieve endpoint ${p.Endpoint?.[0]}`]);
            break;
          case 'Logoff':
            reply(['Response: Goodbye', 'Message: Thanks for all the fish.']);
            socket.end();
            break;
          default:
            reply(['Response: Error', 'Message: Invalid/unknown command']);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { port, packets };
}

const TARGET: NotifyTarget = { mac: '805ec0000e01', event: 'check-sync;reboot=false', user: 'ada', authName: 'k3x9auth', password: 'never-sent', port: 5060 };

t.test('PJSIPNotify over AMI: login, the NOTIFY with its Event variable, logoff', async (t) => {
  const ami = await fakeAmi(t, ['k3x9auth', 'ada']);
  const sender = amiSender({ host: '127.0.0.1', port: ami.port, username: 'admin', secret: 's3cret', endpoint: 'authName' });
  t.equal(sender.kind, 'ami');
  t.equal(sender.needsAddress, false, 'the PBX knows where the phone is');
  t.same(await sender.send(TARGET), {}, 'accepted: no SIP status (Asterisk does not report the phone\'s answer)');
  const notify = ami.packets.find((p) => p.Action?.[0] === 'PJSIPNotify');
  t.ok(notify, 'a PJSIPNotify action');
  t.same(notify!.Endpoint, ['k3x9auth'], 'the endpoint named by the SIP auth name');
  t.same(notify!.Variable, ['Event=check-sync;reboot=false'], 'the Event header as a Variable');
  t.match(notify!.ActionID?.[0], /^dialtone-/);
  t.same(ami.packets.map((p) => p.Action?.[0]), ['Login', 'PJSIPNotify', 'Logoff']);
  t.notOk(JSON.stringify(ami.packets).includes('never-sent'), 'the SIP password never goes to the PBX');

  const byUser = amiSender({ host: '127.0.0.1', port: ami.port, username: 'admin', secret: 's3cret', endpoint: 'user' });
  t.same(await byUser.send(TARGET), {});
  t.same(ami.packets.filter((p) => p.Action?.[0] === 'PJSIPNotify')[1]!.Endpoint, ['ada'], 'or by the line user');
});

t.test('AMI refusals come back as errors', async (t) => {
  const ami = await fakeAmi(t, []);
  const wrong = amiSender({ host: '127.0.0.1', port: ami.port, username: 'admin', secret: 'nope', endpoint: 'authName' });
  t.match(await wrong.send(TARGET), { error: /AMI login refused: Authentication failed/ });
  const unknown = amiSender({ host: '127.0.0.1', port: ami.port, username: 'admin', secret: 's3cret', endpoint: 'authName' });
  t.match(await unknown.send(TARGET), { error: /PJSIPNotify to endpoint k3x9auth failed: Unable to retrieve endpoint k3x9auth/ });
  const nobody = amiSender({ host: '127.0.0.1', port: 1, username: 'admin', secret: 's3cret', endpoint: 'authName' });
  t.match(await nobody.send(TARGET), { error: /ECONNREFUSED/ }, 'no AMI listening');
});

t.test('an AMI that never answers times out', async (t) => {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.close();
  });
  const sender = amiSender({ host: '127.0.0.1', port: (silent.address() as { port: number }).port, username: 'a', secret: 'b', endpoint: 'authName', timeoutMs: 200 });
  t.match(await sender.send(TARGET), { error: /did not answer within 0.2 s/ });
});
