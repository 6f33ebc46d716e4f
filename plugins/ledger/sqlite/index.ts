/**
 * The `sqlite` ledger plugin: the event ledger in a WAL SQLite file with group commit
 * (sqlite-ledger.ts has the durability and failure contract; docs/ledger.md the operator's view).
 */
import path from 'node:path';
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import { SqliteLedger } from './sqlite-ledger.ts';

export const sqliteLedgerConfigSchema = z.strictObject({
  kind: z.literal('sqlite'),
  /** Ledger file; relative paths resolve against the config's directory. */
  path: z.string().min(1),
  groupCommit: z
    .strictObject({
      maxBatch: z.number().int().positive().max(100_000).default(1000),
      intervalMs: z.number().int().positive().max(60_000).default(20),
    })
    .default({ maxBatch: 1000, intervalMs: 20 }),
  /** How often the engine writes a checkpoint; the ledger only stores them. */
  checkpointEverySeconds: z.number().int().positive().max(86_400).default(60),
  retention: z.strictObject({ keepSeconds: z.number().int().positive().max(10 * 365 * 86_400).optional() }).default({}),
  /** 'normal': a power cut may lose what was committed since the last WAL checkpoint; 'full': fsync every group commit. */
  synchronous: z.enum(['normal', 'full']).default('normal'),
  /** Caps the file size; reaching it fails the ledger like a full disk, before the disk itself fills. */
  maxSizeMb: z.number().min(1).max(16_000_000).optional(),
  /** Open without the writer lock for inspect/export while an engine runs; writes throw LEDGER_READ_ONLY. */
  readOnly: z.boolean().default(false),
});

export type SqliteLedgerConfig = z.infer<typeof sqliteLedgerConfigSchema>;

export const sqliteLedgerPlugin = definePlugin({
  category: 'ledger',
  kind: 'sqlite',
  description: 'Event ledger in a SQLite file (WAL, group commit, writer lock); export gives a replayable tape',
  configSchema: sqliteLedgerConfigSchema,
  create: (config, ctx) =>
    new SqliteLedger({
      path: path.resolve(ctx.baseDir, config.path),
      clock: ctx.clock,
      logger: ctx.logger,
      groupCommit: config.groupCommit,
      checkpointEverySeconds: config.checkpointEverySeconds,
      retention: config.retention,
      synchronous: config.synchronous,
      ...(config.maxSizeMb !== undefined && { maxSizeBytes: Math.floor(config.maxSizeMb * 1024 * 1024) }),
      readOnly: config.readOnly,
    }),
});

export { SqliteLedger };
