/** Vendor unit tests render through the same pure function the resolver uses (src/provision/render.ts). */
import { renderFile, type RenderInputs } from '../../src/provision/render.js';
import { Templates } from '../../src/provision/templates.js';
import type { VendorPack } from '../../src/vendors/pack.js';

const root = new URL('../../templates', import.meta.url).pathname;
const loaded = new Map<string, Promise<Templates>>();

/** `template` of `pack` (a full or a bootstrap template of one of its file specs), rendered from `inputs`, as text. */
export async function renderTemplate(pack: VendorPack, template: string, inputs: Omit<RenderInputs, 'pack' | 'spec' | 'variant'>): Promise<string> {
  let templates = loaded.get(pack.id);
  if (!templates) {
    const t = new Templates(root, [pack]);
    templates = t.load().then(() => t);
    loaded.set(pack.id, templates);
  }
  const spec = pack.files.find((f) => f.template === template || f.bootstrapTemplate === template);
  if (!spec) throw new Error(`${pack.id} has no file spec with template ${template}`);
  const variant = spec.bootstrapTemplate === template ? 'bootstrap' : 'full';
  return renderFile(await templates, { ...inputs, pack, spec, variant }).toString('utf8');
}
