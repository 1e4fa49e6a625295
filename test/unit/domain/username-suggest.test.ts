import t from 'tap';
import { foldUsername, freeUsername, numberedUsername, parseUsernamePattern, renderUsername, USERNAME_MAX_LENGTH, usesPlaceholder, validateUsername } from '../../../src/domain/username.js';
import { refuses } from '../../helpers/refuses.js';

t.test('folding: accents off, letters that do not decompose spelled out, the rest dropped', async (t) => {
  const cases: Array<[string, string]> = [
    ["Zoë O'Brien", 'ZoeOBrien'],
    ['José Núñez', 'JoseNunez'],
    ['Straße', 'Strasse'],
    ['Søren Ørsted', 'SorenOrsted'],
    ['Łukasz Wałęsa', 'LukaszWalesa'],
    ['Æsa Cœur', 'AEsaCoeur'],
    ['Đorđe', 'Dorde'],
    ['Þórr', 'Thorr'],
    ['Anne-Marie St. John', 'Anne-MarieSt.John'],
    ['ﬁona', 'fiona'], // a ligature (NFKD takes it apart)
    ['Ｊｏｅ', 'Joe'], // full-width letters
    ['李 小龍', ''],
    ['a_b@c d😀', 'abcd'],
  ];
  for (const [input, folded] of cases) t.equal(foldUsername(input), folded, input);
  for (const [input] of cases) {
    const folded = foldUsername(input);
    if (folded) t.equal(validateUsername(folded), folded, `${input}: a valid user name`);
  }
});

t.test('patterns: placeholders and allowed text; unknown ones and stray braces refused by name', async (t) => {
  const person = { firstName: 'Zoë', lastName: "O'Brien" };
  const render = (pattern: string, parts = {}) => renderUsername(parseUsernamePattern(pattern), { ...person, ...parts });
  t.equal(render('{company}{f}{last}'), 'ZOBrien', 'no company: the initial and the last name');
  t.equal(render('{company}{f}{last}', { company: 'Acme' }), 'AcmeZOBrien');
  t.equal(render('{company}{f}{last}', { company: 'Ácme Ltd.' }), 'AcmeLtd.ZOBrien', 'the company is folded too');
  t.equal(render('{first}.{last}'), 'Zoe.OBrien');
  t.equal(render('{first}{l}'), 'ZoeO');
  t.equal(render('{site}-{f}{l}', { site: 'Zürich HQ' }), 'ZurichHQ-ZO');
  t.equal(render('{f}{last}', { firstName: 'émile' }), 'EOBrien', 'initials are upper case');
  t.equal(render('{f}{last}', { lastName: '王' }), undefined, 'a name that folds to nothing makes no user name');
  t.equal(render('{first}{company}', { company: '株式会社' }), 'Zoe', 'a company that folds to nothing is left out');

  t.ok(usesPlaceholder(parseUsernamePattern('{site}{f}{last}'), 'site'));
  t.notOk(usesPlaceholder(parseUsernamePattern('{f}{last}'), 'site'));

  refuses(t, () => parseUsernamePattern('{company}{firstname}'), 'usernamePattern', /^has an unknown placeholder \{firstname\}; the known ones are \{company\}, \{site\}, \{first\}, \{f\}, \{last\}, \{l\}$/);
  refuses(t, () => parseUsernamePattern('{first'), 'usernamePattern', /brace without its pair/);
  refuses(t, () => parseUsernamePattern('{first}}'), 'usernamePattern', /brace without its pair/);
  refuses(t, () => parseUsernamePattern('x{{last}}'), 'usernamePattern', /brace without its pair/);
  refuses(t, () => parseUsernamePattern('{first}_{last}'), 'usernamePattern', /outside its placeholders only .*found "_"$/);
  refuses(t, () => parseUsernamePattern('{company}'), 'usernamePattern', /must use the person's name/);
  refuses(t, () => parseUsernamePattern(''), 'usernamePattern', /must use the person's name/);
  refuses(t, () => parseUsernamePattern('{x}', 'settings.pattern'), 'settings.pattern', /unknown placeholder/);
});

t.test('a numeric suffix makes a name unique, compared without regard to case, within 64 characters', async (t) => {
  t.equal(numberedUsername('AcmeJSmith', 1), 'AcmeJSmith');
  t.equal(numberedUsername('AcmeJSmith', 2), 'AcmeJSmith2');
  t.equal(freeUsername('AcmeJSmith', new Set()), 'AcmeJSmith');
  t.equal(freeUsername('AcmeJSmith', new Set(['acmejsmith'])), 'AcmeJSmith2');
  t.equal(freeUsername('AcmeJSmith', new Set(['acmejsmith', 'acmejsmith2', 'acmejsmith4'])), 'AcmeJSmith3', 'the first gap');
  t.equal(freeUsername('AcmeJSmith', new Set(['AcmeJSmith'])), 'AcmeJSmith', 'taken holds keys (lower case): compare by usernameKey');
  const long = 'L'.repeat(70);
  t.equal(numberedUsername(long, 1).length, USERNAME_MAX_LENGTH);
  const tenth = numberedUsername(long, 10);
  t.equal(tenth.length, USERNAME_MAX_LENGTH);
  t.ok(tenth.endsWith('10'));
});
