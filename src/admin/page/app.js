// The operator page: plain JavaScript against the admin API (/api/v1), no framework, no CDN.
// The token lives in sessionStorage for this tab only and goes in the Authorization header.
const $ = (id) => document.getElementById(id);
const text = (value) => (value === null || value === undefined ? '' : String(value));
let lastPlan = null;

function token() {
  return sessionStorage.getItem('impact-in-token') ?? '';
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${token()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await response.json();
  if (!response.ok) {
    $('status').textContent = `${response.status} ${json.code}: ${json.message}`;
    throw new Error(json.message);
  }
  $('status').textContent = '';
  return json;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) {
    const td = document.createElement('td');
    if (cell instanceof Node) td.append(cell);
    else td.textContent = text(cell);
    tr.append(td);
  }
  return tr;
}

function badge(value, cls = value) {
  const span = document.createElement('span');
  span.className = `badge ${cls}`;
  span.textContent = value;
  return span;
}

async function loadPlatforms() {
  const { platforms } = await api('GET', '/api/v1/platforms');
  const body = $('platforms').tBodies[0];
  body.replaceChildren(
    ...platforms.map((p) =>
      row([
        p.platform,
        p.totalLag,
        p.lag.map((l) => `${l.partition}:${l.lag}`).join(' '),
        badge(p.breaker),
        p.rateLimit.degraded === null ? 'unknown' : p.rateLimit.degraded ? 'per instance' : 'shared',
        p.parked,
        p.deadLetterDepth,
        p.lastDeliveryAt ?? '—',
      ]),
    ),
  );
}

function historyTable(history) {
  const table = document.createElement('table');
  table.className = 'history';
  table.append(row(['at', 'result', 'ms']));
  for (const attempt of history) table.append(row([attempt.at, attempt.result, attempt.ms]));
  return table;
}

async function lookup(event) {
  event.preventDefault();
  const d = await api('GET', `/api/v1/deliveries/${$('lookup-platform').value}/${encodeURIComponent($('lookup-event').value.trim())}`);
  const box = $('delivery');
  const summary = document.createElement('p');
  summary.id = 'delivery-summary';
  summary.textContent = `${d.status} · generation ${d.generation} · attempts ${d.attempts} · ${d.externalRef ? `ref ${d.externalRef}` : d.errorClass ?? ''} · tenant ${d.tenantId}`;
  const parts = [summary, historyTable(d.attemptHistory)];
  for (const g of d.previousGenerations) {
    const p = document.createElement('p');
    p.textContent = `before generation ${g.generation} (${g.kind} by ${g.requestedBy}: ${g.reason}): ${g.status} ${g.errorClass ?? g.externalRef ?? ''}`;
    parts.push(p, historyTable(g.attemptHistory));
  }
  box.replaceChildren(...parts);
}

async function showDeadLetters(event) {
  event?.preventDefault();
  const d = await api('GET', `/api/v1/dead-letters?topic=${$('dlq-topic').value}`);
  $('dlq-codes').textContent = Object.entries(d.byCode).map(([code, n]) => `${code}: ${n}`).join(' · ') || 'no dead letters';
  $('dlq').tBodies[0].replaceChildren(...d.items.map((m) => row([`${m.partition}:${m.offset}`, m.code, m.reason, m.failedAt])));
  $('redrive-form').hidden = d.items.length === 0;
}

async function redrive(dryRun) {
  const reason = $('redrive-reason').value.trim();
  const r = await api('POST', '/api/v1/dead-letters/redrive', { topic: $('dlq-topic').value, dryRun, ...(reason ? { reason } : {}) });
  $('redrive-result').textContent = `${dryRun ? 'dry run: ' : ''}${Object.entries(r.counts).map(([a, n]) => `${a} ${n}`).join(', ')}`;
}

function replayBody() {
  const tenants = $('replay-tenants').value.split(',').map((t) => t.trim()).filter(Boolean);
  return {
    platform: $('replay-platform').value,
    from: $('replay-from').value.trim(),
    to: $('replay-to').value.trim(),
    ...(tenants.length ? { tenants } : {}),
    ...($('replay-verify').checked ? { verify: true } : {}),
  };
}

async function plan(event) {
  event.preventDefault();
  lastPlan = replayBody();
  const p = await api('POST', '/api/v1/replays/plan', lastPlan);
  const summary = document.createElement('p');
  summary.id = 'plan-summary';
  summary.textContent = `would send ${p.summary.actions.send}, would re-send ${p.summary.actions.resend}, leave ${p.summary.actions.none}`;
  const table = document.createElement('table');
  table.id = 'plan-items';
  table.append(row(['event', 'tenant', 'verdict', 'action', 'ref / code']));
  for (const item of p.items) table.append(row([item.eventId, item.tenantId, item.verdict, badge(item.action), item.externalRef ?? item.code ?? '']));
  $('plan').replaceChildren(summary, table);
  $('replay-run').hidden = p.summary.actions.send + p.summary.actions.resend === 0;
}

async function run() {
  if (!lastPlan) return;
  const r = await api('POST', '/api/v1/replays', lastPlan);
  $('status').textContent = '';
  $('replay-run').hidden = true;
  await poll(r.id);
}

async function poll(id) {
  for (let i = 0; i < 600; i++) {
    // The replay's own status first, the table after it: a replay that finished between the two
    // reads would otherwise stop the polling with the table still showing it running.
    const r = await api('GET', `/api/v1/replays/${id}`);
    await loadReplays();
    if (r.status !== 'running') return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function loadReplays() {
  const { replays } = await api('GET', '/api/v1/replays');
  $('replays').tBodies[0].replaceChildren(
    ...replays.map((r) => row([r.id, r.platform, `${r.from} → ${r.to}`, badge(r.status), `${r.sent}/${r.total}`, r.requestedBy])),
  );
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('impact-in-token', $('token').value);
  $('token').value = '';
  void Promise.all([loadPlatforms(), loadReplays()]).catch(() => undefined);
});
$('refresh-platforms').addEventListener('click', () => void loadPlatforms().catch(() => undefined));
$('refresh-replays').addEventListener('click', () => void loadReplays().catch(() => undefined));
$('lookup-form').addEventListener('submit', (e) => void lookup(e).catch(() => undefined));
$('dlq-form').addEventListener('submit', (e) => void showDeadLetters(e).catch(() => undefined));
$('redrive-dry').addEventListener('click', () => void redrive(true).catch(() => undefined));
$('redrive-run').addEventListener('click', () => void redrive(false).then(() => showDeadLetters()).catch(() => undefined));
$('replay-form').addEventListener('submit', (e) => void plan(e).catch(() => undefined));
$('replay-run').addEventListener('click', () => void run().catch(() => undefined));
if (token()) void Promise.all([loadPlatforms(), loadReplays()]).catch(() => undefined);
