import t from 'tap';
import { replayOffice } from '../../helpers/office.js';
import { office } from '../../helpers/office/grandstream.js';

t.test(`${office.boot.name} in an office: three lines, keys, the directory, raw settings by scope`, (t) => replayOffice(t, office));
