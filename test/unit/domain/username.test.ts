import t from 'tap';
import { USERNAME_MAX_LENGTH, usernameKey, validateUsername } from '../../../src/domain/username.js';
import { refuses } from '../../helpers/refuses.js';

t.test('accepts the allowed characters and keeps the case', async (t) => {
  for (const name of ['a', 'Alice.Smith', 'bob-42', 'ops:desk[3]', 'X'.repeat(USERNAME_MAX_LENGTH), 'A1.b2-C3:[d]']) {
    t.equal(validateUsername(name), name, name);
  }
});

t.test('refuses other characters, naming the first bad one', async (t) => {
  const bad: [string, RegExp][] = [
    ['alice smith', /found " " at position 6$/],
    ['alice@example.com', /found "@" at position 6$/],
    ['josé', /found "é" at position 4$/],
    ['a_b', /found "_" at position 2$/],
    ['a/b', /found "\/"/],
    ['😀x', /found "😀" at position 1$/],
    ['a\nb', /found "\n"/],
  ];
  for (const [name, message] of bad) refuses(t, () => validateUsername(name), 'username', message, JSON.stringify(name));
  const listsAllowed = /^may contain only letters A-Z or a-z, digits, "\.", "-", ":", "\[" and "\]"/;
  refuses(t, () => validateUsername('a b'), 'username', listsAllowed);
});

t.test('refuses empty and over-long names', async (t) => {
  refuses(t, () => validateUsername(''), 'username', /^must not be empty$/);
  refuses(t, () => validateUsername('x'.repeat(65)), 'username', /^must be at most 64 characters; got 65$/);
  refuses(t, () => validateUsername('', 'employee.username'), 'employee.username', /empty/);
});

t.test('usernameKey ignores case', async (t) => {
  t.equal(usernameKey('Alice.Smith'), 'alice.smith');
  t.equal(usernameKey('ALICE'), usernameKey('alice'));
  t.not(usernameKey('alice'), usernameKey('alice2'));
});
