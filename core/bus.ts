/**
 * The core bus. Event streams are hot and shared (never replayed to late subscribers); state
 * streams replay their latest value. Subjects stay private: publishers call the `publish*` methods.
 */
import { BehaviorSubject, Observable, Subject, config as rxConfig, share, shareReplay } from 'rxjs';
import { filter } from 'rxjs/operators';
import type { AlertRaised, BalanceSnapshotReceived, BookUpdated, ConnectionChanged, FillReported, OrderUpdated, SequencedEvent } from './events.ts';
import type { RiskDecision } from './risk/decision.ts';
import type { PositionView } from './engine/views.ts';
import type { SourceHealth } from './sources/position-source.ts';

export interface RiskState {
  readonly global: RiskDecision;
  readonly byToken: ReadonlyMap<string, RiskDecision>;
}

/**
 * RxJS reports an error thrown inside a subscriber's callback as "unhandled", which by default
 * rethrows it on a timer and kills the process. Route it to every live bus instead: the other
 * subscribers and the engine go on, and the failure becomes an alert and a health state.
 */
const liveBuses = new Set<Bus>();
rxConfig.onUnhandledError = (err: unknown) => {
  if (liveBuses.size === 0) {
    // No bus to contain it: keep RxJS's own behaviour (surface it).
    setTimeout(() => {
      throw err;
    });
    return;
  }
  for (const b of liveBuses) b.reportSubscriberError(err);
};

export class Bus {
  private readonly events = new Subject<SequencedEvent>();
  private readonly alerts = new Subject<AlertRaised>();
  private readonly positions = new Subject<PositionView>();
  private readonly risk = new BehaviorSubject<RiskState | undefined>(undefined);
  private readonly snapshotRequests = new Subject<string>();
  private readonly health = new BehaviorSubject<SourceHealth | undefined>(undefined);
  private readonly subscriberErrors = new Subject<unknown>();

  constructor() {
    liveBuses.add(this);
  }

  /** Errors thrown by subscribers of any stream (contained: the stream goes on). */
  readonly subscriberErrors$: Observable<unknown> = this.subscriberErrors.asObservable();

  reportSubscriberError(err: unknown): void {
    this.subscriberErrors.next(err);
  }

  /** Every inbound event, after it was ledgered and applied. */
  readonly events$: Observable<SequencedEvent> = this.events.asObservable().pipe(share());
  readonly fills$ = this.ofType<FillReported>('fill');
  readonly orderUpdates$ = this.ofType<OrderUpdated>('order');
  readonly balances$ = this.ofType<BalanceSnapshotReceived>('balance');
  readonly books$ = this.ofType<BookUpdated>('book');
  readonly connection$ = this.ofType<ConnectionChanged>('connection');
  readonly alerts$: Observable<AlertRaised> = this.alerts.asObservable().pipe(share());
  /** A token's position after each change. */
  readonly positions$: Observable<PositionView> = this.positions.asObservable().pipe(share());
  /** The latest risk state (replayed to late subscribers). */
  readonly riskDecision$: Observable<RiskState> = this.risk.asObservable().pipe(
    filter((r): r is RiskState => r !== undefined),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  /** Health of the position source after each attempt: last success, consecutive failures, latency (replayed). */
  readonly sourceHealth$: Observable<SourceHealth> = this.health.asObservable().pipe(
    filter((h): h is SourceHealth => h !== undefined),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
  /** Requests for an immediate authoritative snapshot (reconnect, gap, recovery attempt). */
  readonly snapshotRequests$: Observable<string> = this.snapshotRequests.asObservable().pipe(share());

  publishEvent(e: SequencedEvent): void {
    this.events.next(e);
  }
  publishAlert(a: AlertRaised): void {
    this.alerts.next(a);
  }
  /** Whether anyone listens to positions$ (the view is only built for listeners). */
  get hasPositionObservers(): boolean {
    return this.positions.observed;
  }
  publishPosition(p: PositionView): void {
    this.positions.next(p);
  }
  publishRisk(r: RiskState): void {
    this.risk.next(r);
  }
  publishSourceHealth(h: SourceHealth): void {
    this.health.next(h);
  }
  requestSnapshot(reason: string): void {
    this.snapshotRequests.next(reason);
  }

  complete(): void {
    liveBuses.delete(this);
    for (const s of [this.events, this.alerts, this.positions, this.risk, this.snapshotRequests, this.health, this.subscriberErrors] as Subject<unknown>[]) s.complete();
  }

  private ofType<T extends SequencedEvent['event']>(type: T['type']): Observable<T> {
    return new Observable<T>((sub) =>
      this.events$.subscribe({ next: (e) => e.event.type === type && sub.next(e.event as T), complete: () => sub.complete() }),
    ).pipe(share());
  }
}
