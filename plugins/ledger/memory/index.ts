/** The `memory` ledger plugin: the ledger contract without a file, for tests and replay. */
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import { MemoryLedger } from './memory-ledger.ts';

export const memoryLedgerConfigSchema = z.strictObject({
  kind: z.literal('memory'),
  checkpointEverySeconds: z.number().int().positive().default(60),
});

export type MemoryLedgerConfig = z.infer<typeof memoryLedgerConfigSchema>;

export const memoryLedgerPlugin = definePlugin({
  category: 'ledger',
  kind: 'memory',
  description: 'In-memory event ledger (tests and replay): same contract as sqlite, nothing survives the process',
  configSchema: memoryLedgerConfigSchema,
  create: (config) => new MemoryLedger({ name: 'memory ledger', checkpointEverySeconds: config.checkpointEverySeconds }),
});

export { MemoryLedger };
