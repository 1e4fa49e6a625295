/** Which transfer gives way when the table is full: the choice alone, over plain records. */
import t from 'tap';
import { chooseEviction } from '../../../src/tftp/server.js';

interface Slot {
  name: string;
  address: string;
  acked: boolean;
}

/** `slots` oldest first; each address holds as many slots as it has records here. */
function choose(slots: Slot[], most = Infinity): string | undefined {
  const held = (a: string) => slots.filter((s) => s.address === a).length;
  return chooseEviction(slots, (s) => !s.acked, held, most)?.name;
}

const s = (name: string, address: string, acked = false): Slot => ({ name, address, acked });

t.test('only a transfer never acknowledged may give way', async (t) => {
  t.equal(choose([s('a', '10.0.0.1', true), s('b', '10.0.0.2', true)]), undefined, 'all making progress: none (the request is refused)');
  t.equal(choose([s('a', '10.0.0.1', true), s('b', '10.0.0.2'), s('c', '10.0.0.2', true)]), 'b');
  t.equal(choose([]), undefined);
});

t.test('the address holding the most slots first, then the oldest', async (t) => {
  t.equal(choose([s('a', '10.0.0.1'), s('b', '10.0.0.2'), s('c', '10.0.0.3')]), 'a', 'all alike: the oldest');
  t.equal(choose([s('phone', '10.0.0.1'), s('f1', '10.0.0.9'), s('f2', '10.0.0.9')]), 'f1', 'the flooding address, not the older lone phone');
  t.equal(
    choose([s('p', '10.0.0.1'), s('x1', '10.0.0.8', true), s('x2', '10.0.0.8', true), s('x3', '10.0.0.8'), s('y1', '10.0.0.9'), s('y2', '10.0.0.9')]),
    'x3',
    'slots held count acknowledged transfers too: 10.0.0.8 holds three',
  );
  t.equal(choose([s('y1', '10.0.0.9', true), s('y2', '10.0.0.9', true), s('p', '10.0.0.1')]), 'p', 'a big holder whose transfers all progress is left alone');
});

t.test('a holder at the per-address limit ends the scan', async (t) => {
  let looked = 0;
  const slots = [s('a', '10.0.0.9'), s('b', '10.0.0.9'), s('c', '10.0.0.7'), s('d', '10.0.0.7'), s('e', '10.0.0.7')];
  const got = chooseEviction(slots, () => (looked++, true), (a) => (a === '10.0.0.9' ? 2 : 3), 2);
  t.equal(got?.name, 'a', 'the first at the limit');
  t.equal(looked, 1, 'nothing after it was looked at');
});
