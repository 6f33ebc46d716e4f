/**
 * RiskEngine: runs the live policies (and shadow sets, never acted on) per token and overall,
 * combines them most-restrictive-wins, re-evaluates when a policy asks for a recheck time, and
 * reports mode changes as alerts. Evaluating a token costs O(policies), never O(tokens).
 * With A/B variants (core/risk/variants.ts) a token whose market is known is evaluated with its
 * variant's per-token policies instead of the base ones; global policies are always the base ones.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import type { AlertRaised } from '../events.ts';
import type { Logger } from '../logger.ts';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.ts';
import { combine, NORMAL, sameDecision, type RiskDecision, type RiskVerdict } from './decision.ts';
import type { GlobalRiskInput, PolicyResult, RiskPolicy, TokenRiskInput } from './policy.ts';
import { RiskVariants, type MarketTokens } from './variants.ts';

export interface ShadowSet {
  readonly name: string;
  readonly policies: readonly RiskPolicy[];
}

export interface RiskInputs {
  tokenInput(tokenId: string): TokenRiskInput;
  globalInput(): GlobalRiskInput;
  alert(a: Omit<AlertRaised, 'type' | 'at'>): void;
  /** Verdicts the engine itself imposes on everything (ledger failure, awaiting the start-up snapshot). */
  engineVerdict(): RiskVerdict | undefined;
  requestSnapshot(reason: string): void;
}

const GLOBAL = '*';

interface SetState {
  global: RiskDecision;
  tokens: Map<string, RiskDecision>;
}

@injectable()
export class RiskEngine {
  private readonly live: SetState = { global: NORMAL, tokens: new Map() };
  private readonly shadows = new Map<string, SetState>();
  private readonly divergences = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; handle: TimerHandle }>();
  private inputs: RiskInputs | undefined;
  private readonly failedPolicies = new Set<RiskPolicy>();
  /** Acted-on decisions per token, valid while the overall decision is unchanged. */
  private readonly acted = new Map<string, RiskDecision>();
  private actedGlobal: RiskDecision = NORMAL;
  /** Incremented whenever any acted-on decision changes: lets publishers skip unchanged states. */
  changes = 0;

  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.RiskPolicies) readonly policies: readonly RiskPolicy[],
    @inject(TOKENS.ShadowSets) readonly shadowSets: readonly ShadowSet[],
    @inject(TOKENS.RiskVariants) readonly variants: RiskVariants = RiskVariants.none(),
  ) {
    for (const s of shadowSets) {
      this.shadows.set(s.name, { global: NORMAL, tokens: new Map() });
      this.divergences.set(s.name, 0);
    }
  }

  connect(inputs: RiskInputs): void {
    this.inputs = inputs;
  }

  /** The decision acted on for a token: its own verdicts combined with the overall one. */
  decisionFor(tokenId: string): RiskDecision {
    if (this.actedGlobal !== this.live.global) {
      this.acted.clear();
      this.actedGlobal = this.live.global;
    }
    let d = this.acted.get(tokenId);
    if (!d) {
      d = combine([this.live.tokens.get(tokenId)], this.live.global);
      this.acted.set(tokenId, d);
    }
    return d;
  }

  get global(): RiskDecision {
    return this.live.global;
  }

  shadowDecision(name: string, tokenId?: string): RiskDecision | undefined {
    const s = this.shadows.get(name);
    if (!s) return undefined;
    return tokenId === undefined ? s.global : combine([s.tokens.get(tokenId)], s.global);
  }

  /** How many evaluations found a shadow set deciding differently from the live set. */
  divergenceCount(name: string): number {
    return this.divergences.get(name) ?? 0;
  }

  /** The A/B variant whose per-token policies a token is evaluated with (undefined: base policies). */
  variantOf(tokenId: string): string | undefined {
    return this.variants.variant(tokenId);
  }

  /**
   * Learns the token → market map (the venue's market list) for the A/B variants; the tokens whose
   * variant changed are re-evaluated at once when the engine is connected. Returns them.
   */
  assignMarkets(markets: readonly MarketTokens[]): string[] {
    const changed = this.variants.assignMarkets(markets);
    if (this.inputs) for (const t of changed) if (this.live.tokens.has(t)) this.evaluateToken(t);
    return changed;
  }

  evaluatedTokens(): string[] {
    return [...this.live.tokens.keys()];
  }

  /** Re-evaluates one token; returns the new acted-on decision. */
  evaluateToken(tokenId: string): RiskDecision {
    const inputs = this.requireInputs();
    const input = inputs.tokenInput(tokenId);
    const acc = { recheck: Infinity };
    const before = this.decisionFor(tokenId);
    const liveDecision = this.runPolicies(this.variants.policiesFor(tokenId, this.policies), input, undefined, inputs, acc);
    const previous = this.live.tokens.get(tokenId);
    if (!previous || !sameDecision(previous, liveDecision)) {
      this.live.tokens.set(tokenId, liveDecision);
      this.acted.delete(tokenId);
    }
    for (const s of this.shadowSets) {
      const d = this.runPolicies(s.policies, input, undefined, inputs, acc);
      const st = this.shadows.get(s.name)!;
      st.tokens.set(tokenId, d);
      if (!sameDecision(combine([d], st.global), this.decisionFor(tokenId))) this.diverged(s.name, tokenId);
    }
    this.schedule(tokenId, acc.recheck, () => this.evaluateToken(tokenId));
    const after = this.decisionFor(tokenId);
    if (!sameDecision(before, after)) this.changes++;
    this.announce(before, after, tokenId);
    return after;
  }

  /** Re-evaluates the overall decision. */
  evaluateGlobal(): RiskDecision {
    const inputs = this.requireInputs();
    const input = inputs.globalInput();
    const acc = { recheck: Infinity };
    const before = this.live.global;
    const imposed = inputs.engineVerdict();
    const next = combine([imposed], this.runPolicies(this.policies, undefined, input, inputs, acc));
    if (!sameDecision(before, next)) {
      this.live.global = next;
      this.changes++;
    }
    for (const s of this.shadowSets) {
      const st = this.shadows.get(s.name)!;
      st.global = combine([imposed], this.runPolicies(s.policies, undefined, input, inputs, acc));
      if (!sameDecision(st.global, this.live.global)) this.diverged(s.name, GLOBAL);
    }
    this.schedule(GLOBAL, acc.recheck, () => this.evaluateGlobal());
    this.announce(before, this.live.global, undefined);
    return this.live.global;
  }

  exportState(): { live: unknown[]; shadow: Record<string, unknown[]>; divergences: Record<string, number>; variants?: Record<string, unknown[]> } {
    const st = (ps: readonly RiskPolicy[]) => ps.map((p) => p.exportState?.() ?? null);
    return {
      live: st(this.policies),
      shadow: Object.fromEntries(this.shadowSets.map((s) => [s.name, st(s.policies)])),
      divergences: Object.fromEntries(this.divergences),
      ...(this.variants.enabled && { variants: Object.fromEntries(this.variants.setsList().map((s) => [s.name, st(s.policies)])) }),
    };
  }

  importState(s: ReturnType<RiskEngine['exportState']>): void {
    this.policies.forEach((p, i) => s.live[i] != null && p.importState?.(s.live[i]));
    for (const set of this.shadowSets) set.policies.forEach((p, i) => s.shadow[set.name]?.[i] != null && p.importState?.(s.shadow[set.name]![i]));
    for (const set of this.variants.setsList()) set.policies.forEach((p, i) => s.variants?.[set.name]?.[i] != null && p.importState?.(s.variants[set.name]![i]));
    for (const [k, v] of Object.entries(s.divergences)) this.divergences.set(k, v);
  }

  dispose(): void {
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
  }

  /**
   * Runs one set of policies on a token input (or the global one), most restrictive wins. Plain
   * loop, no closures: it runs for every event that touches a token. A throwing policy fails closed:
   * halted with POLICY_FAILED, reported once per policy until it recovers.
   */
  private runPolicies(policies: readonly RiskPolicy[], token: TokenRiskInput | undefined, global: GlobalRiskInput | undefined, inputs: RiskInputs, acc: { recheck: number }): RiskDecision {
    let verdicts: (RiskVerdict | undefined)[] | undefined;
    for (const p of policies) {
      let r: PolicyResult;
      try {
        if (token !== undefined) {
          if (!p.evaluateToken) continue;
          r = p.evaluateToken(token);
        } else {
          if (!p.evaluateGlobal) continue;
          r = p.evaluateGlobal(global!);
        }
        if (this.failedPolicies.size > 0 && this.failedPolicies.delete(p)) this.logger.info({ policy: p.kind }, 'risk policy evaluates again');
      } catch (err) {
        if (!this.failedPolicies.has(p)) {
          this.failedPolicies.add(p);
          const message = err instanceof Error ? err.message : String(err);
          this.logger.error({ policy: p.kind, err: message }, 'risk policy threw: failing closed (halted)');
          inputs.alert({ severity: 'critical', code: 'POLICY_FAILED', message: `risk policy ${p.kind} threw (${message}): halted until it evaluates again`, reasons: ['POLICY_FAILED'] });
        }
        r = { verdict: { mode: 'halted', reasons: ['POLICY_FAILED'] } };
      }
      if (r.verdict !== undefined) (verdicts ??= []).push(r.verdict);
      if (r.requestSnapshot) inputs.requestSnapshot(r.requestSnapshot);
      if (r.recheckAt !== undefined && r.recheckAt < acc.recheck) acc.recheck = r.recheckAt;
    }
    return verdicts === undefined ? NORMAL : combine(verdicts);
  }

  /** Policies whose last evaluation threw. */
  get failingPolicies(): string[] {
    return [...this.failedPolicies].map((p) => p.kind);
  }

  private schedule(scope: string, at: number, fn: () => void): void {
    const existing = this.timers.get(scope);
    if (existing && existing.at === at) return;
    existing?.handle.cancel();
    this.timers.delete(scope);
    if (!Number.isFinite(at)) return;
    const handle = this.clock.scheduleAt(at, () => {
      this.timers.delete(scope);
      fn();
    });
    this.timers.set(scope, { at, handle });
  }

  private diverged(name: string, scope: string): void {
    this.divergences.set(name, (this.divergences.get(name) ?? 0) + 1);
    this.logger.debug({ shadow: name, scope }, 'shadow policy set decided differently');
  }

  private announce(before: RiskDecision, after: RiskDecision, tokenId: string | undefined): void {
    if (before.mode === after.mode && before.reasons.join() === after.reasons.join()) return;
    const scope = tokenId ? `token ${tokenId}` : 'overall';
    const severity = after.mode === 'halted' ? 'critical' : after.mode === 'degraded' ? 'warning' : 'info';
    const code = after.mode === 'normal' ? 'RISK_RECOVERED' : after.mode === 'halted' ? 'RISK_HALTED' : 'RISK_DEGRADED';
    const message =
      after.mode === 'normal'
        ? `${scope} recovered to normal (was ${before.mode}: ${before.reasons.join(', ') || 'no reason'})`
        : `${scope} ${after.mode}: ${after.reasons.join(', ')}`;
    if (before.mode === after.mode && after.mode === 'normal') return;
    this.logger[after.mode === 'normal' ? 'info' : 'warn']({ tokenId, mode: after.mode, reasons: after.reasons, was: before.mode }, 'risk mode changed');
    this.requireInputs().alert({ severity, code, message, ...(tokenId && { tokenId }), reasons: after.reasons });
  }

  private requireInputs(): RiskInputs {
    if (!this.inputs) throw new Error('RiskEngine used before connect()');
    return this.inputs;
  }
}
