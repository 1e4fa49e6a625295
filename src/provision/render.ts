import type { FileSpec } from '../vendors/pack.js';
import { renderContext, type ContextInputs } from './context.js';
import { ESCAPERS, escapeAll } from './escape.js';
import { buildPhoneConfig } from './phone.js';
import type { Templates } from './templates.js';

export interface RenderInputs extends ContextInputs {
  spec: FileSpec;
  /**
   * `bootstrap` renders the spec's bootstrap template (its full template when it has none, for
   * files without secrets); `full` and `public` render the full template.
   */
  variant: 'full' | 'bootstrap' | 'public';
}

/** The template a variant of a spec is rendered from. */
export function templateOf(spec: FileSpec, variant: RenderInputs['variant']): string {
  const template = variant === 'bootstrap' && spec.bootstrapTemplate ? spec.bootstrapTemplate : spec.template;
  if (template === undefined) throw new Error(`file ${spec.pattern} has no template`);
  return template;
}

/**
 * Configuration in, bytes out: the context built from the inputs, every value escaped for the
 * file's format, through the vendor's template. Pure but for the templates it reads; the
 * resolver caches around it, vendor tests call it as it is.
 */
export function renderFile(templates: Templates, i: RenderInputs): Buffer {
  const phone = buildPhoneConfig(i);
  const text = templates.get(i.pack.id, templateOf(i.spec, i.variant))(escapeAll(renderContext(i, phone), i.spec.format));
  const finished = i.pack.finish ? i.pack.finish(text, phone, { spec: i.spec, full: i.credentials !== undefined, escape: ESCAPERS[i.spec.format] }) : text;
  return Buffer.from(finished);
}
