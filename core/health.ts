/**
 * Component health: every contained failure (a throwing timer, policy, sink, subscriber or
 * strategy) becomes a health state here and an alert on the bus; the engine goes on.
 */
export type HealthState = 'ok' | 'degraded' | 'failing' | 'stopped';

export interface ComponentHealth {
  readonly component: string;
  readonly state: HealthState;
  readonly since: number;
  readonly detail?: string;
  readonly failures: number;
}

export class HealthRegistry {
  private readonly byComponent = new Map<string, ComponentHealth>();
  private readonly listeners = new Set<(h: ComponentHealth) => void>();

  /** Sets a component's state; returns true when it changed (callers alert only then). */
  set(component: string, state: HealthState, at: number, detail?: string): boolean {
    const prev = this.byComponent.get(component);
    const failures = (prev?.failures ?? 0) + (state === 'failing' || state === 'stopped' ? 1 : 0);
    const changed = !prev || prev.state !== state;
    const next: ComponentHealth = { component, state, since: changed ? at : prev!.since, failures, ...(detail !== undefined && { detail }) };
    this.byComponent.set(component, next);
    if (changed) for (const l of this.listeners) l(next);
    return changed;
  }

  get(component: string): ComponentHealth | undefined {
    return this.byComponent.get(component);
  }

  all(): ComponentHealth[] {
    return [...this.byComponent.values()];
  }

  onChange(fn: (h: ComponentHealth) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
