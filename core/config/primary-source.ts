/**
 * Which kind of snapshot is authoritative under a config: the configured position source's, or
 * for a fallback the first (primary) member's. A snapshot of another kind is a fallback snapshot —
 * degraded, not resetting the hard-halt clock — live and in a replayed tape alike.
 */
import type { SourceKindName } from '../events.ts';
import type { PluginConfig } from './schema.ts';

export function primarySourceKind(source: PluginConfig | undefined): SourceKindName | undefined {
  if (!source) return undefined;
  switch (source.kind) {
    case 'chain':
    case 'chain-events':
      return 'chain';
    case 'rest':
      return 'rest';
    case 'fallback': {
      const first = (source.sources as PluginConfig[] | undefined)?.[0];
      return primarySourceKind(first);
    }
    default:
      return undefined;
  }
}
