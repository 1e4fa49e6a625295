import { createSocket } from 'node:dgram';
import t from 'tap';
import { parseResponse } from '../../../src/sip/message.js';
import { openUdp, sendNotify } from '../../../src/sip/notify.js';

/** A UDP port on 127.0.0.1 that nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(resolve));
  return port;
}

t.test('over a real UDP socket: ICMP port unreachable ends the transaction at once', async (t) => {
  const started = Date.now();
  const result = await sendNotify({ host: '127.0.0.1', port: await closedPort(), user: 'ada', event: 'check-sync' });
  t.match(result, { ok: false, error: 'transport', detail: /ECONNREFUSED/ });
  t.ok(Date.now() - started < 5_000, 'without waiting for Timer F');
});

t.test('over a real UDP socket: a lost NOTIFY is retransmitted; the answer goes back to the Via (rport)', async (t) => {
  const phone = createSocket('udp4');
  await new Promise<void>((resolve) => phone.bind(0, '127.0.0.1', resolve));
  t.teardown(() => phone.close());
  const seen: string[] = [];
  phone.on('message', (data, from) => {
    const text = data.toString();
    seen.push(text);
    if (seen.length === 1) return; // the first is "lost"
    const via = /^Via: (.*)$/m.exec(text)![1]!.trim();
    const reply = ['SIP/2.0 200 OK', `Via: ${via.replace(';rport', `;rport=${from.port};received=${from.address}`)}`, /^From: .*$/m.exec(text)![0], /^To: .*$/m.exec(text)![0].trim() + ';tag=p', /^Call-ID: .*$/m.exec(text)![0].trim(), /^CSeq: .*$/m.exec(text)![0].trim(), 'Content-Length: 0', '', ''].join('\r\n');
    phone.send(reply, from.port, from.address);
  });
  // Short timers so the retransmission comes quickly (T1 20 ms): the timing itself is checked with a fake clock elsewhere.
  const result = await sendNotify(
    { host: '127.0.0.1', port: phone.address().port, user: 'ada', event: 'check-sync' },
    { open: openUdp, timers: { t1: 20, t2: 80, t4: 100 } },
  );
  t.match(result, { ok: true, status: 200, attempts: [{ cseq: 1, status: 200 }] });
  t.ok(seen.length >= 2, 'sent again after T1');
  t.equal(seen[0], seen[1], 'a retransmission is the same request, byte for byte');
  t.equal(parseResponse(Buffer.from(seen[0]!)), null, 'what the phone got is a request');
});
