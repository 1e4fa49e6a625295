import { CHANNELS, type ProvisionRequest } from '../provision/request.js';
import type { ProvisionAnswer } from '../provision/resolve.js';

/**
 * The TFTP file lookup over the provisioning resolver: a read request is a GET of the file name.
 * Only a 200 is a file; everything else (404, and 401 which TFTP cannot ask for) is a miss.
 * The resolver applies the policy, records the timeline and counts misses toward bans.
 */
export function resolverLookup(resolver: { handle(req: ProvisionRequest): Promise<ProvisionAnswer> }) {
  return async ({ file, address }: { file: string; address: string }): Promise<Buffer | null> => {
    const answer = await resolver.handle({ channel: CHANNELS.tftp, method: 'GET', target: file, address });
    return answer.status === 200 ? answer.body : null;
  };
}
