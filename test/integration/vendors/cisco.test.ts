import t from 'tap';
import { replayBoot } from '../../helpers/boot.js';
import { cases } from '../../helpers/cases/cisco.js';

for (const c of cases) t.test(`${c.name} boot sequence`, (t) => replayBoot(t, c));
