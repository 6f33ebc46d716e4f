/** The alert-sink plugin contract. */
import type { AlertRaised } from './events.ts';

export interface AlertSink {
  readonly kind: string;
  send(alert: AlertRaised): Promise<void> | void;
  dispose?(): Promise<void> | void;
}
