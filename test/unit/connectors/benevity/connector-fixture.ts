/** A Benevity connector over an undici MockAgent, and delivery requests for it (unit tests of the connector). */
import { randomBytes, randomUUID } from 'node:crypto';
import type { MockAgent } from 'undici';
import type { DeliveryRequest } from '../../../../src/connectors/connector.ts';
import { createBenevityConnector, type BenevityConnectorOptions } from '../../../../src/connectors/benevity/benevity.connector.ts';
import { createSecretBox } from '../../../../src/crypto/secret-box.ts';
import type { RedactedEvent } from '../../../../src/domain/redacted-event.ts';
import { DEFAULT_TENANT_POLICY } from '../../../../src/redaction/policy/policy.ts';
import { createPreSendGate } from '../../../../src/redaction/pre-send-gate.ts';
import { redactedOf } from '../../redacted-fixtures.ts';

export const ORIGIN = 'https://benevity.example.com';

export function benevityConnector(agent: MockAgent, options: Partial<BenevityConnectorOptions> = {}) {
  return createBenevityConnector({
    baseUrl: ORIGIN,
    dispatcher: agent,
    allowPrivateHosts: false,
    gate: createPreSendGate(),
    contactBox: createSecretBox(new Map([['k1', randomBytes(32)]]), 'k1'),
    callbackUrl: (tenant) => `https://impact.example.com/callbacks/benevity/${tenant}`,
    tokenRefreshMarginMs: 1_000,
    importSettleMs: 0,
    ...options,
  });
}

/** A donation of `tenantId` to deliver with the OAuth client `clientId`. */
export function donationRequest(clientId: string, tenantId = 'acme'): DeliveryRequest {
  const event = { ...redactedOf('donation', tenantId).event, eventId: randomUUID() } as RedactedEvent;
  const credentials = { clientId, clientSecret: 'secret-0123456789', callbackSecret: 'callback-secret-0123456789' };
  return { event, idempotencyKey: randomUUID().replaceAll('-', '').repeat(2), credentials, tenantPolicy: DEFAULT_TENANT_POLICY };
}
