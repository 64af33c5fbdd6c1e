import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NotificationContext } from './context.js';
import { DEFAULT_PAYLOAD_TEMPLATE, renderJson, renderText, unknownPlaceholders } from './render.js';

const ctx: NotificationContext = {
  alert_id: 7,
  alert_name: 'Memory used',
  alert_level: 'agent',
  object_name: 'host-2',
  agent_id: 2,
  agent_name: 'host-2',
  server_id: null,
  current_value: 99.5,
  current_state: 'high',
  previous_state: 'medium',
  low_threshold: 85,
  medium_threshold: 90,
  high_threshold: 95,
  threshold: 95,
  event: 'changed',
  flapping: false,
  raised_at: '2025-01-01T10:00:00+00:00',
  event_at: '2025-01-01T10:05:00+00:00',
};
const facts = { deliveryId: 42, idempotencyKey: 'pharos-a7-e3-changed-high-w1', attempt: 1 };

describe('notification templates', () => {
  it('keeps the type of a value that is a whole string, and text inside longer strings', () => {
    const out = renderJson(
      {
        v: '%CurrentValue%',
        s: '%ServerId%',
        f: '%Flapping%',
        t: 'value %CurrentValue% on %ObjectName%',
        n: 'server %ServerName%!',
      },
      ctx,
      facts,
    );
    assert.deepEqual(out, { v: 99.5, s: null, f: false, t: 'value 99.5 on host-2', n: 'server !' });
  });

  it('renders nested arrays and objects, keys too, and leaves unknown words', () => {
    const out = renderJson(
      { '%Event%': ['%LowThreshold%', { k: '%DeliveryId%' }], u: '%Nope%', x: 5 },
      ctx,
      facts,
    );
    assert.deepEqual(out, { changed: [85, { k: 42 }], u: '%Nope%', x: 5 });
  });

  it('cannot be broken by a value: JSON stays JSON', () => {
    const evil = { ...ctx, object_name: '"}, "admin": true, "x": {"' };
    const body = JSON.stringify(renderJson({ o: '%ObjectName%', t: 'on %ObjectName%' }, evil, facts));
    assert.deepEqual(Object.keys(JSON.parse(body)), ['o', 't']);
  });

  it('the default payload carries every fact the issue names', () => {
    const p = renderJson(DEFAULT_PAYLOAD_TEMPLATE, ctx, facts) as Record<string, unknown>;
    assert.deepEqual(p.alert, { id: 7, name: 'Memory used', level: 'agent', description: null });
    assert.equal((p.object as Record<string, unknown>).agent_id, 2);
    assert.deepEqual(p.thresholds, { low: 85, medium: 90, high: 95 });
    assert.equal(p.value, 99.5);
    assert.equal(p.state, 'high');
    assert.equal(p.previous_state, 'medium');
    assert.equal(p.raised_at, '2025-01-01T10:00:00+00:00');
    assert.equal(p.idempotency_key, facts.idempotencyKey);
  });

  it('renders text with PEM-style aliases and empty text for nulls', () => {
    assert.equal(renderText('%OldState% -> %CurrentState% (%ServerName%)', ctx, facts), 'medium -> high ()');
  });

  it('lists unknown placeholders of a template', () => {
    assert.deepEqual(unknownPlaceholders({ a: '%AlertName% %Bogus%', b: ['%Other%'] }), ['Bogus', 'Other']);
    assert.deepEqual(unknownPlaceholders(DEFAULT_PAYLOAD_TEMPLATE), []);
  });
});
