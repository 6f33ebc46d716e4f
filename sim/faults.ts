/**
 * The fault plan: knobs the chaos suite turns at run time (POST /_control/faults), each decision
 * drawn from its own seeded stream so a run with the same seed and traffic repeats exactly.
 */
import { Prng } from './prng.ts';
import { faultsSchema, type Faults } from './config.ts';

export type RestFault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: number }
  | { readonly kind: 'slow'; readonly ms: number }
  | { readonly kind: 'none' };

export class FaultPlan {
  private current: Faults;
  private readonly rest: Prng;
  private readonly ws: Prng;
  private readonly lost: Prng;

  constructor(seed: string | number, initial: Faults) {
    this.current = initial;
    this.rest = Prng.for(seed, 'faults/rest');
    this.ws = Prng.for(seed, 'faults/ws');
    this.lost = Prng.for(seed, 'faults/lost');
  }

  get(): Faults {
    return this.current;
  }

  /** Replaces the plan (missing knobs return to 0). Throws on a bad shape. */
  set(input: unknown): Faults {
    this.current = faultsSchema.parse(input);
    return this.current;
  }

  /** What to do to the next REST request (control endpoints are never faulted). */
  nextRest(): RestFault {
    const f = this.current.rest;
    const r = this.rest.next();
    let acc = f.error5xxRate;
    if (r < acc) return { kind: 'status', status: [500, 502, 503][this.rest.int(3)]! };
    if (r < (acc += f.rate425)) return { kind: 'status', status: 425 };
    if (r < (acc += f.rate429)) return { kind: 'status', status: 429, retryAfter: f.retryAfterSeconds };
    if (r < (acc += f.slowRate)) return { kind: 'slow', ms: f.slowMs };
    return { kind: 'none' };
  }

  /** Whether to destroy the socket after booking an order. */
  loseResponse(): boolean {
    return this.lost.chance(this.current.rest.lostResponseRate);
  }

  /** How one outgoing websocket message is treated. */
  nextWs(): 'send' | 'drop' | 'duplicate' | 'hold' {
    const f = this.current.ws;
    const r = this.ws.next();
    if (r < f.dropRate) return 'drop';
    if (r < f.dropRate + f.duplicateRate) return 'duplicate';
    if (r < f.dropRate + f.duplicateRate + f.reorderRate) return 'hold';
    return 'send';
  }

  /** Whether to cut the connection after this message. */
  wsDisconnect(): boolean {
    return this.ws.chance(this.current.ws.disconnectRate);
  }
}
