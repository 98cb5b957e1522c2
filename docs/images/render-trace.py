#!/usr/bin/env python3
"""Renders a trace read back from Jaeger (.stack/reports/one-trace.json, written by
test/integration/one-trace-per-event.test.ts) as an SVG waterfall: docs/images/trace.svg.
Stage spans of impact-in only (the instrumentations' pg/redis/kafkajs spans are left out for size;
HTTP calls to the platforms are kept).   python3 docs/images/render-trace.py [in.json] [out.svg]"""
import html, json, sys

src = sys.argv[1] if len(sys.argv) > 1 else '.stack/reports/one-trace.json'
out = sys.argv[2] if len(sys.argv) > 2 else 'docs/images/trace.svg'
spans = json.load(open(src))['spans']
keep = lambda s: not s['operationName'].startswith(('pg.', 'pg-pool', 'send ', 'poll ', 'process ', 'transaction')) and s['operationName'] not in ('get', 'set', 'evalsha', 'eval', 'del', 'exists', 'pexpire', 'psetex')
by_id = {s['spanID']: s for s in spans}
children = {}
for s in spans:
    parent = next((r['spanID'] for r in s['references'] if r['refType'] == 'CHILD_OF' and r['spanID'] in by_id), None)
    children.setdefault(parent, []).append(s)
rows = []
def walk(s, depth):
    shown = keep(s)
    if shown:
        rows.append((s, depth))
    for c in sorted(children.get(s['spanID'], []), key=lambda c: c['startTime']):
        walk(c, depth + 1 if shown else depth)
for root in sorted(children.get(None, []), key=lambda c: c['startTime']):
    walk(root, 0)
t0 = min(s['startTime'] for s, _ in rows)
t1 = max(s['startTime'] + s['duration'] for s, _ in rows)
W, LABEL, ROW = 1100, 430, 18
scale = (W - LABEL - 20) / max(1, t1 - t0)
tag = lambda s, k: next((t['value'] for t in s['tags'] if t['key'] == k), None)
color = lambda s: '#c0392b' if tag(s, 'error.code') or tag(s, 'otel.status_code') == 'ERROR' else ('#2e86c1' if s['operationName'].startswith(('deliver', 'job', 'benevity')) else '#7f8c8d' if s['operationName'] in ('POST', 'GET') else '#27ae60')
lines = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{ROW * len(rows) + 40}" font-family="monospace" font-size="11">',
         f'<rect width="100%" height="100%" fill="white"/><text x="6" y="14" font-weight="bold">one event, one trace ({len(spans)} spans in Jaeger; {len(rows)} shown) — {(t1 - t0) / 1000:.0f} ms</text>']
for i, (s, depth) in enumerate(rows):
    y = 24 + i * ROW
    label = s['operationName'].split(' t.')[0]
    extra = ' '.join(str(v) for v in (tag(s, 'outcome'), tag(s, 'error.code'), tag(s, 'http.response.status_code')) if v)
    x = LABEL + (s['startTime'] - t0) * scale
    w = max(2, s['duration'] * scale)
    lines.append(f'<text x="{6 + depth * 12}" y="{y + 12}">{html.escape(label)}</text>')
    lines.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="11" fill="{color(s)}"/>')
    lines.append(f'<text x="{min(x + w + 4, W - 150):.1f}" y="{y + 12}" fill="#555">{html.escape(extra)} {s["duration"] / 1000:.1f} ms</text>')
lines.append('</svg>')
open(out, 'w').write('\n'.join(lines) + '\n')
print(f'{out}: {len(rows)} spans')
