// Programmable keys, edited by position: each row's fields are named `keys.<i>.…` as the API names
// them, so an error about `keys.3.value` shows under that row's Value.
import { field, form, h } from './ui.js';

/**
 * `keys` as stored; `types` the key types offered; `rows` how many positions to show; `none` what
 * an empty type means there. `save(list)` gets the positions up to the last one given, an empty
 * position as null (an empty list when none is given).
 */
export function keysForm({ keys = [], types, rows, none, save }) {
  return form({
    label: 'Programmable keys',
    fields: [
      h('h3', {}, 'Programmable keys'),
      ...Array.from({ length: rows }, (_, i) =>
        h(
          'fieldset',
          { class: 'key' },
          h('legend', {}, `Key ${i + 1}`),
          field({ name: `keys.${i}.type`, label: 'Type', options: [['', none], ...types.map((k) => [k, k])], value: keys[i]?.type ?? '' }),
          field({ name: `keys.${i}.value`, label: 'Value', value: keys[i]?.value }),
          field({ name: `keys.${i}.label`, label: 'Label', value: keys[i]?.label }),
        ),
      ),
    ],
    submit: 'Save keys',
    action: async (v) => {
      const given = Array.from({ length: rows }, (_, i) => (v.keys?.[i]?.type ? v.keys[i] : null));
      while (given.length && given.at(-1) === null) given.pop();
      await save(given);
    },
  });
}
