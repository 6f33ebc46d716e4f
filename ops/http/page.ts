/**
 * The live status page: one HTML document with inline CSS and script, no build step, no external
 * asset (the favicon is a data: URL so the browser asks for nothing else). It reads /api/status
 * once, then follows /events (server-sent events). Values are written with textContent only.
 */
const CSS = `
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:center;flex-wrap:wrap}
header h1{font-size:17px;margin:0 12px 0 0}
.badge{display:inline-block;padding:2px 9px;border-radius:10px;font-weight:600;font-size:12px;text-transform:uppercase}
.normal{background:#2e9d5b;color:#fff}.degraded{background:#e2a21b;color:#1d2330}.halted{background:#d23c3c;color:#fff}
.muted{color:#8a93a6;font-size:12px}
main{padding:14px 18px;display:grid;gap:14px;grid-template-columns:repeat(auto-fill,minmax(430px,1fr))}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:12px 14px}
section h2{font-size:13px;margin:0 0 8px;word-break:break-all}
table{border-collapse:collapse;width:100%}td,th{padding:3px 6px;text-align:right;border-bottom:1px solid #eef0f3}
th{color:#5b6478;font-weight:500}td:first-child,th:first-child{text-align:left}
.bar{height:8px;background:#eef0f3;border-radius:4px;overflow:hidden;margin:4px 0 8px}.bar>div{height:100%;background:#3a6fd8}
.wide{grid-column:1/-1}.crit{color:#d23c3c}.warn{color:#b47c00}
#conn.on{color:#7fe0a4}#conn.off{color:#ff9a9a}
`;

const SCRIPT = `
(function(){
  'use strict';
  var $ = function(id){ return document.getElementById(id); };
  function el(tag, attrs, text){
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function row(tbody, label, value, field){
    var tr = el('tr'); tr.appendChild(el('td', null, label));
    tr.appendChild(el('td', field ? {'data-field': field} : null, value === null ? '—' : value));
    tbody.appendChild(tr);
  }
  function badge(mode){ return el('span', {'class': 'badge ' + mode, 'data-field': 'mode'}, mode); }
  function market(m){
    var s = el('section', {'data-token': m.tokenId});
    var h = el('h2'); h.appendChild(badge(m.risk.mode)); h.appendChild(document.createTextNode(' token ' + m.tokenId)); s.appendChild(h);
    if (m.risk.reasons.length) s.appendChild(el('div', {'class': 'warn', 'data-field': 'reasons'}, m.risk.reasons.join(', ')));
    var t = el('table'); var b = el('tbody'); t.appendChild(b);
    row(b, 'confirmed', m.confirmed, 'confirmed');
    row(b, 'pending buys', m.pendingBuys, 'pendingBuys');
    row(b, 'pending sells', m.pendingSells, 'pendingSells');
    row(b, 'effective', m.effective, 'effective');
    row(b, 'reserved (open BUY orders)', m.pendingOrderBuys, 'pendingOrderBuys');
    row(b, 'conservative exposure', m.conservativeExposure, 'conservativeExposure');
    row(b, 'limit', m.limit, 'limit');
    row(b, 'available to sell', m.availableToSell, 'availableToSell');
    row(b, 'pending fills (oldest, s)', m.pendingFills + (m.oldestPendingAgeSeconds === null ? '' : ' (' + m.oldestPendingAgeSeconds + ')'), 'pendingFills');
    row(b, 'discrepancies', m.discrepancies, 'discrepancies');
    row(b, 'realized / unrealized PnL', m.pnl.realized + ' / ' + m.pnl.unrealized, 'pnl');
    row(b, 'best bid / ask', m.book ? (m.book.bestBid || '—') + ' / ' + (m.book.bestAsk || '—') : null, 'book');
    s.appendChild(t);
    if (m.utilisationPct !== null) {
      s.appendChild(el('div', {'class': 'muted', 'data-field': 'utilisation'}, 'exposure ' + m.utilisationPct + '% of limit'));
      var bar = el('div', {'class': 'bar'}); var fill = el('div');
      fill.style.width = Math.max(0, Math.min(100, Number(m.utilisationPct))) + '%'; bar.appendChild(fill); s.appendChild(bar);
    }
    var qt = el('table', {'data-field': 'quotes'}); var qh = el('tr');
    ['quote', 'price', 'size', 'matched', 'status'].forEach(function(c){ qh.appendChild(el('th', null, c)); });
    qt.appendChild(qh);
    m.quotes.forEach(function(q){
      var tr = el('tr'); [q.side, q.price, q.size, q.matched, q.status].forEach(function(v){ tr.appendChild(el('td', null, v === null ? '—' : v)); });
      qt.appendChild(tr);
    });
    if (!m.quotes.length) { var tr = el('tr'); tr.appendChild(el('td', {colspan: '5', 'class': 'muted'}, 'no open quotes')); qt.appendChild(tr); }
    s.appendChild(qt);
    return s;
  }
  function render(st){
    var o = $('overall'); o.textContent = ''; o.appendChild(badge(st.overall.mode));
    $('reasons').textContent = st.overall.reasons.join(', ');
    $('seq').textContent = String(st.seq);
    $('at').textContent = st.at;
    var src = st.source;
    $('source').textContent = src.name + (src.servingFallback ? ' (fallback)' : '') + ', failures ' + src.consecutiveFailures +
      (src.lastLatencyMs === null ? '' : ', ' + src.lastLatencyMs + ' ms') + (src.lastError ? ', last error: ' + src.lastError : '');
    $('gaps').textContent = String(st.openGaps);
    $('ledger').textContent = st.ledgerFailed ? 'FAILED' : 'ok';
    var main = $('markets'); main.textContent = '';
    st.markets.forEach(function(m){ main.appendChild(market(m)); });
    var sh = $('shadows'); sh.textContent = '';
    st.shadows.forEach(function(s){
      var tr = el('tr', {'data-shadow': s.name}); tr.appendChild(el('td', null, s.name));
      var td = el('td'); td.appendChild(badge(s.overall.mode)); tr.appendChild(td);
      tr.appendChild(el('td', null, s.overall.reasons.join(', ')));
      tr.appendChild(el('td', {'data-field': 'divergences'}, s.divergences)); sh.appendChild(tr);
    });
    if (!st.shadows.length) { var tr = el('tr'); tr.appendChild(el('td', {colspan: '4', 'class': 'muted'}, 'no shadow sets')); sh.appendChild(tr); }
    var al = $('alerts'); al.textContent = '';
    st.alerts.forEach(function(a){
      var li = el('li', {'class': a.severity === 'critical' ? 'crit' : a.severity === 'warning' ? 'warn' : ''});
      li.textContent = a.at + ' [' + a.severity + '] ' + a.code + ': ' + a.message; al.appendChild(li);
    });
    if (!st.alerts.length) al.appendChild(el('li', {'class': 'muted'}, 'no alerts'));
    var v = st.venue;
    $('venue').textContent = v ? 'user ' + v.userFeed + ', market ' + v.marketFeed + ', heartbeat ' + (v.heartbeatOk ? 'ok' : 'FAILING') +
      (v.backoffUntil ? ', backing off until ' + v.backoffUntil : '') + (v.postOnlyUntil ? ', post-only until ' + v.postOnlyUntil : '') +
      (v.rate ? ', orders ' + v.rate.orders.remaining + '/' + v.rate.orders.capacity + ', cancels ' + v.rate.cancels.remaining + '/' + v.rate.cancels.capacity : '') +
      (v.lastError ? ', last error: ' + v.lastError : '') : '—';
    $('venue').className = v && (!v.heartbeatOk || v.userFeed !== 'connected') ? 'warn' : '';
    $('strategies').textContent = st.strategies.length ? st.strategies.map(function(x){ return x.name + ' ' + x.state; }).join(', ') : '—';
    document.body.setAttribute('data-seq', String(st.seq));
  }
  function conn(on){ var c = $('conn'); c.textContent = on ? 'live' : 'reconnecting'; c.className = on ? 'on' : 'off'; }
  fetch('api/status').then(function(r){ return r.json(); }).then(render).catch(function(){ conn(false); });
  if (window.EventSource) {
    var es = new EventSource('events');
    es.addEventListener('status', function(ev){ conn(true); render(JSON.parse(ev.data)); });
    es.onerror = function(){ conn(false); };
  }
})();
`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>polyquote status</title><link rel="icon" href="data:,"><style>${CSS}</style></head>
<body>
<header><h1>polyquote</h1><span id="overall"></span><span id="reasons" class="warn"></span>
<span class="muted">seq <b id="seq">—</b></span><span class="muted">at <span id="at">—</span></span>
<span class="muted">source <span id="source">—</span></span><span class="muted">open gaps <span id="gaps">—</span></span>
<span class="muted">ledger <span id="ledger">—</span></span>
<span class="muted">venue <span id="venue">—</span></span><span class="muted">strategies <span id="strategies">—</span></span><span id="conn" class="off">connecting</span></header>
<main><div id="markets" style="display:contents"></div>
<section class="wide"><h2>Shadow risk sets (never acted on)</h2><table><thead><tr><th>set</th><th>mode</th><th>reasons</th><th>divergences</th></tr></thead><tbody id="shadows"></tbody></table></section>
<section class="wide"><h2>Recent alerts</h2><ul id="alerts"></ul></section></main>
<script>${SCRIPT}</script>
</body></html>
`;
