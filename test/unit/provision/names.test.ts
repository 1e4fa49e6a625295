import t from 'tap';
import { fileName } from '../../../src/provision/resolve.js';
import { FileIndex, modelList } from '../../../src/vendors/index.js';

t.test('file names: last segment, decoded once, strict characters', async (t) => {
  t.equal(fileName('/001565aabbcc.cfg'), '001565aabbcc.cfg');
  t.equal(fileName('/any/leading/path/001565aabbcc.cfg?x=1'), '001565aabbcc.cfg');
  t.equal(fileName('001565aabbcc.cfg'), '001565aabbcc.cfg');
  for (const bad of ['/', '/../../etc/passwd/', '/%2e%2e/', '/x/..', '/.hidden', '/a%00.cfg', '/001565aabbcc.cfg%00.xml', `/${'a'.repeat(65)}`, `/${'a'.repeat(10_240)}`, '/%E0%A4%A', '/a b.cfg', '/a\\b.cfg']) {
    const name = fileName(bad);
    t.ok(name === undefined || !/[/\\\0]/.test(name), `${bad.slice(0, 40)} → ${name}`);
  }
  t.equal(fileName('/..%2f..%2fetc%2fpasswd'), 'passwd', 'a decoded traversal is only its last segment');
  t.equal(fileName('/%2e%2e/'), undefined);
  t.equal(fileName('/....//'), undefined);
  t.equal(fileName('/x/../../y'), 'y');
});

t.test('the file index: exact patterns, MAC case as the vendor writes it', async (t) => {
  const index = new FileIndex();
  const one = (name: string) => index.match(name).map((m) => `${m.pack.id}:${m.spec.pattern}:${m.mac ?? m.model?.id ?? ''}`);
  t.ok(one('001565aabbcc.cfg').includes('yealink:{mac}.cfg:001565aabbcc'), 'shared by several vendors; the device decides');
  t.same(one('001565AABBCC.cfg'), ['aastra:{MAC}.cfg:001565aabbcc'], 'upper case is Aastra alone: Yealink writes lower case');
  t.same(one('y000000000066.cfg'), ['yealink:y{model}.cfg:yealink-t46s']);
  t.same(one('y000000000999.cfg'), [], 'unknown model code');
  t.same(one('y000000000000.boot'), ['yealink:y000000000000.boot:']);
  t.same(one('x001565aabbcc.cfg'), []);
  const models = modelList();
  t.ok(models.length > 10);
  t.same(new Set(models.map((m) => m.id)).size, models.length, 'model ids are unique');
  t.ok(models.find((m) => m.id === 'yealink-t46s')?.files.includes('y000000000066.cfg'));
});

t.test('two segments, for phones that append a fixed name to a folder', async (t) => {
  t.equal(fileName('/dir/pb001565aabbcc/phonebook.xml?x', 2), 'pb001565aabbcc/phonebook.xml');
  t.equal(fileName('/phonebook.xml', 2), undefined, 'no folder: no two-segment name');
  t.equal(fileName('/a/../phonebook.xml', 2), undefined, 'a dot-dot folder is no name');
  t.equal(fileName('/pb001565aabbcc%2fphonebook.xml', 2), 'pb001565aabbcc/phonebook.xml', 'decoded once, like one segment');
});

t.test('a two-segment pattern matches the two-segment name, and the index says it has one', async (t) => {
  const [first] = new FileIndex().packs;
  const spec = { pattern: 'pb{mac}/phonebook.xml', scope: 'device', directory: true, format: 'xml', contentType: 'application/xml' } as const;
  const index = new FileIndex([{ ...first!, files: [spec] }]);
  t.ok(index.nested);
  t.notOk(new FileIndex([first!]).nested);
  t.match(index.match('pb001565aabbcc/phonebook.xml'), [{ mac: '001565aabbcc' }]);
  t.same(index.match('phonebook.xml'), []);
});
