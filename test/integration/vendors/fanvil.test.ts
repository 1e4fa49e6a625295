import t from 'tap';
import { replayBoot } from '../../helpers/boot.js';
import { cases } from '../../helpers/cases/fanvil.js';
for (const c of cases) t.test(`${c.name} boot sequence`, (t) => replayBoot(t, c));

// An older model whose common file has the `f0<model>hw1.100` spelling [W-FV-X], UA verbatim [W-FV].
const [v65] = cases;
if (v65) {
  t.test('Fanvil X4 boot sequence', (t) =>
    replayBoot(t, {
      ...v65,
      name: 'Fanvil X4',
      model: 'fanvil-x4',
      mac: '0c383e07e16c',
      userAgent: 'Fanvil X4 2.10.2.6887 0c383e07e16c',
      boot: ['f0X4hw1.100.cfg', '0c383e07e16c.cfg'],
      routine: [],
      deviceFiles: ['0c383e07e16c.cfg'],
    }),
  );
}
