/** DI tokens: every injectable service is registered under one of these symbols. */
export const TOKENS = {
  Config: Symbol.for('polyquote.Config'),
  Clock: Symbol.for('polyquote.Clock'),
  Logger: Symbol.for('polyquote.Logger'),
  Bus: Symbol.for('polyquote.Bus'),
  Ledger: Symbol.for('polyquote.Ledger'),
  Reconciler: Symbol.for('polyquote.Reconciler'),
  InventoryManager: Symbol.for('polyquote.InventoryManager'),
  OrderTracker: Symbol.for('polyquote.OrderTracker'),
  RiskEngine: Symbol.for('polyquote.RiskEngine'),
  PnlTracker: Symbol.for('polyquote.PnlTracker'),
  Engine: Symbol.for('polyquote.Engine'),
  PositionSource: Symbol.for('polyquote.PositionSource'),
  SourceRunner: Symbol.for('polyquote.SourceRunner'),
  AlertSinks: Symbol.for('polyquote.AlertSinks'),
  PluginRegistry: Symbol.for('polyquote.PluginRegistry'),
  PluginFactory: Symbol.for('polyquote.PluginFactory'),
} as const;
