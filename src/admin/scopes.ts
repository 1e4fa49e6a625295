import { TOKEN_SCOPES, type TokenScope } from '../domain/types.js';
import { DialtoneError } from '../errors.js';

/** Whether a token of scope `held` may do what needs `needed` (admin ⊃ technician ⊃ readonly). */
export const hasScope = (held: TokenScope, needed: TokenScope): boolean => TOKEN_SCOPES.indexOf(held) >= TOKEN_SCOPES.indexOf(needed);

/** The 403, naming the scope that is missing. */
export const forbidden = (needed: TokenScope, held: TokenScope): DialtoneError => new DialtoneError('forbidden', `this needs a token with the ${needed} scope; this token has the ${held} scope`);
