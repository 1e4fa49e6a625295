/**
 * The resync routes: ask a phone (or a site's phones) to fetch its files now, by SIP NOTIFY, and
 * see whether it did. Kept apart from routes.ts; main.ts adds them to the rest.
 */
import { z } from 'zod';
import { notFound } from '../errors.js';
import { resyncView, type ResyncRegistry } from '../resync/registry.js';
import type { ResyncService } from '../resync/service.js';
import type { Store } from '../store/store.js';
import type { Route } from './routes.js';
import { idParam, macParam } from './params.js';

export const resyncViewSchema = z.object({
  id: z.string(),
  mac: z.string(),
  event: z.string().meta({ description: 'The Event header sent (the vendor\'s resync event)' }),
  via: z.string().meta({ description: 'direct: UDP to the phone; ami: through Asterisk (PJSIPNotify)' }),
  target: z.string().optional().meta({ description: 'address:port the NOTIFY went to (direct)' }),
  siteId: z.string().optional().meta({ description: 'Set when part of a site resync' }),
  state: z.enum(['queued', 'sent', 'answered', 'confirmed', 'timedOut']).meta({ description: 'queued (a site resync waits for its slot) → sent → answered → confirmed (the phone fetched its files after the NOTIFY) or timedOut' }),
  requested: z.iso.datetime(),
  sent: z.iso.datetime().optional(),
  answered: z.number().int().optional().meta({ description: "The phone's final SIP status (direct sender only)" }),
  answeredAt: z.iso.datetime().optional(),
  reason: z.string().optional().meta({ description: 'The SIP reason phrase' }),
  confirmed: z.iso.datetime().optional().meta({ description: "When the phone's fetch came" }),
  timedOut: z.iso.datetime().optional(),
  error: z.string().optional().meta({ description: 'Why there was no answer (no response within Timer F, unreachable, a PBX error)' }),
});

const siteResyncView = z.object({
  resyncs: z.array(resyncViewSchema),
  skipped: z.array(z.object({ mac: z.string(), reason: z.enum(['no_resync_event', 'never_seen']) })).meta({ description: 'Devices that get no NOTIFY: a generic model, or (direct sender) never seen since start-up' }),
});

export interface ResyncRoutesDeps {
  store: Store;
  service: ResyncService;
  registry: ResyncRegistry;
}

const siteParam = idParam('site');

export function resyncRoutes({ store, service, registry }: ResyncRoutesDeps): Route[] {
  const mac = (params: Record<string, string>): string => params.mac ?? '';
  return [
    {
      method: 'post', path: '/devices/{mac}/resync', scope: 'technician', params: { mac: macParam }, tag: 'provisioning', status: 202, response: resyncViewSchema,
      summary: "Send the phone its vendor's SIP NOTIFY to fetch its files now; 409 when it was never seen (no address to send to) or is a generic model",
      handler: async (ctx) => resyncView(await service.resyncDevice(mac(ctx.params))),
    },
    {
      method: 'post', path: '/sites/{id}/resync', scope: 'technician', params: { id: siteParam }, tag: 'provisioning', status: 202, response: siteResyncView,
      summary: "Resync every device of the site's employees, staggered with jitter",
      handler: async (ctx) => {
        const { resyncs, skipped } = await service.resyncSite(ctx.params.id ?? '');
        return { resyncs: resyncs.map(resyncView), skipped };
      },
    },
    {
      method: 'get', path: '/devices/{mac}/resyncs', scope: 'readonly', params: { mac: macParam }, tag: 'provisioning', status: 200, response: z.array(resyncViewSchema),
      summary: "The device's recent resyncs, oldest first",
      handler: async (ctx) => {
        if (!(await store.getDevice(mac(ctx.params)))) throw notFound('device');
        return (await registry.read(mac(ctx.params))).map(resyncView);
      },
    },
  ];
}
