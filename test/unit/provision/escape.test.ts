import t from 'tap';
import { escapeAll, escapeLine, escapeXml } from '../../../src/provision/escape.js';
import { parseXml } from '../../helpers/xml.js';

const nasty = 'Zoë "Z" <O\'Brien> & Co';
const injection = 'Ada\naccount.1.password = x';

t.test('XML: text and attributes survive a real parser unchanged', async (t) => {
  for (const value of [nasty, ']]>', 'a]]>b<![CDATA[c', "'\"&<>", 'tab\there', 'line\nbreak']) {
    const doc = `<?xml version="1.0"?><r a="${escapeXml(value)}" b='${escapeXml(value)}'>${escapeXml(value)}</r>`;
    const r = parseXml(doc).documentElement!;
    t.equal(r.getAttribute('a'), value, `attribute: ${JSON.stringify(value)}`);
    t.equal(r.getAttribute('b'), value);
    t.equal(r.textContent, value, `text: ${JSON.stringify(value)}`);
  }
  t.equal(escapeXml('a\u0000b\u0007c\uFFFEd'), 'abcd', 'characters XML cannot carry are dropped');
  t.notMatch(escapeXml(']]>'), /]]>/);
});

t.test('key = value lines: nothing can start a new key', async (t) => {
  t.equal(escapeLine(injection), 'Ada account.1.password = x');
  t.equal(escapeLine('a\r\nb\u2028c\u0085d\u0000e'), 'a b c d e');
  t.equal(escapeLine('  padded  '), 'padded');
  t.equal(escapeLine(nasty), nasty, 'quotes and brackets are fine in a line');
});

t.test('escapeAll walks objects and arrays, leaves numbers alone', async (t) => {
  t.same(escapeAll({ a: '<x>', b: [1, '&'], c: { d: true, e: undefined } }, 'xml'), { a: '&lt;x&gt;', b: [1, '&amp;'], c: { d: true, e: undefined } });
  t.same(escapeAll({ n: injection }, 'kv'), { n: 'Ada account.1.password = x' });
});
