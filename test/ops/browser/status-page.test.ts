/** The live status page in a real headless Chromium: loads clean, shows the engine's numbers, follows updates. */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMicros } from '../../../core/amounts.ts';
import { registerSecret } from '../../../core/logger.ts';
import { startOps, type RunningOps } from '../../../ops/http/start.ts';
import { configYaml, NO, startApp, YES, type Harness } from '../../core/harness.ts';
import { launch, openPage } from './browser.ts';

const SECRET = 'tg_bot_token_ZZZ_987654321';

let browser: Browser;
let h: Harness;
let ops: RunningOps;

beforeAll(async () => {
  browser = await launch();
  h = await startApp(configYaml({ shadow: '    - name: strict\n      policies:\n        - { kind: conservative-limits, maxPositionShares: 40 }' }));
  ops = await startOps(h.app, { port: 0, pushEveryMs: 50 });
});
afterAll(async () => {
  await ops?.close();
  await h?.dispose();
  await browser?.close();
});

const field = (token: string, name: string) => `[data-token="${token}"] [data-field="${name}"]`;

describe('status page', () => {
  it('shows per-market inventory, exposure, quotes, mode and alerts, updating live over SSE', async () => {
    registerSecret(SECRET);
    h.snapshot({ [YES]: 30, [NO]: 0 });
    h.submit('0xo1', 'BUY', 20, YES, '0.45');
    h.order('0xo1', 'LIVE', { originalSize: 20, sizeMatched: 0, token: YES, side: 'BUY' });
    h.fill({ tradeId: 't1', orderId: '0xo1', side: 'BUY', size: '7.5', price: '0.45' });
    h.sourceError(`connect ECONNREFUSED https://rpc.example/${SECRET}`);

    const w = await openPage(browser, ops.server.url);
    const { page } = w;
    const p = h.pos(YES);
    await page.waitForSelector(field(YES, 'confirmed'));
    expect(await page.textContent(field(YES, 'confirmed'))).toBe(formatMicros(p.confirmed));
    expect(await page.textContent(field(YES, 'pendingBuys'))).toBe('7.5');
    expect(await page.textContent(field(YES, 'effective'))).toBe(formatMicros(p.effective));
    expect(await page.textContent(field(YES, 'pendingOrderBuys'))).toBe(formatMicros(p.pendingOrderBuys));
    expect(await page.textContent(field(YES, 'conservativeExposure'))).toBe(formatMicros(p.conservativeExposure));
    expect(await page.textContent(field(YES, 'limit'))).toBe('100');
    expect(await page.textContent(field(YES, 'utilisation'))).toContain(`${(Number(formatMicros(p.conservativeExposure))).toFixed(1)}% of limit`);
    expect(await page.textContent(field(YES, 'mode'))).toBe(h.engine.risk.decisionFor(YES).mode);
    expect(await page.textContent(field(YES, 'quotes'))).toContain('0.45');
    expect(await page.textContent('#source')).toContain('failures 1');
    // the source error carried a secret: shown redacted
    expect(await page.textContent('#source')).toContain('https://rpc.example/[REDACTED]');
    expect(await page.content()).not.toContain(SECRET);

    // Live: a snapshot absorbs the fill and a SELL fill arrives; the page follows without a reload.
    h.advance(1000);
    h.snapshot({ [YES]: '37.5', [NO]: 0 });
    h.fill({ tradeId: 't2', side: 'SELL', size: 4, price: '0.55' });
    const seq = String(h.engine.lastSeq);
    await page.waitForSelector(`body[data-seq="${seq}"]`, { timeout: 5000 });
    const q = h.pos(YES);
    expect(await page.textContent(field(YES, 'confirmed'))).toBe('37.5');
    expect(await page.textContent(field(YES, 'pendingSells'))).toBe(formatMicros(q.pendingSells));
    expect(await page.textContent(field(YES, 'effective'))).toBe(formatMicros(q.effective));
    expect(await page.textContent('#conn')).toBe('live');

    // A halt (impossible balance) shows as the mode, its reason and an alert.
    h.advance(1000);
    h.snapshot({ [NO]: -3 });
    await page.waitForSelector(`body[data-seq="${h.engine.lastSeq}"]`, { timeout: 5000 });
    expect(await page.textContent(field(NO, 'mode'))).toBe('halted');
    expect(await page.textContent(field(NO, 'reasons'))).toContain('IMPOSSIBLE_BALANCE');
    expect(await page.textContent('#alerts')).toContain('RISK_HALTED');
    expect(await page.textContent('[data-shadow="strict"] [data-field="divergences"]')).toBe(String(h.engine.risk.divergenceCount('strict')));

    const html = await page.content();
    expect(html).not.toContain(SECRET);
    const shot = await w.screenshot('status-page.png');
    expect(existsSync(shot)).toBe(true);
    expect(w.errors).toEqual([]);
    // nothing but the page's own server (no CDN, no external asset)
    for (const r of w.requests) expect(r.startsWith(ops.server.url) || r.startsWith('data:'), r).toBe(true);
    await page.close();
  });
});
