/**
 * What must hold: the Benevity simulator's import runner sends every callback message of the
 * committed callback pact (contracts/pacts/impact-in-benevity-import-callbacks.json): each message
 * is produced for real — an import submitted over HTTP, its signed callback caught by a receiver
 * on a local port — and its body and signature header are checked against the pact.
 */
import { MessageProviderPact } from '@pact-foundation/pact';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER } from '../../src/connectors/benevity/benevity.signature.ts';
import { startBenevitySimulator, type BenevitySimulator } from '../../src/simulators/benevity/index.ts';
import { COMMITTED_PACTS, pactFileName } from './helpers/pact-files.ts';
import { stateParams } from './helpers/provider.ts';

const CLIENT = { clientId: 'impact-in-contract', clientSecret: 'contract-client-secret' };
let sim: BenevitySimulator;
let receiver: Server;
let receiverUrl: string;
let received: ((callback: { headers: IncomingHttpHeaders; body: string }) => void) | undefined;
/** The record the current provider state imports. */
let record: unknown;

beforeAll(async () => {
  sim = await startBenevitySimulator({ clients: { [CLIENT.clientId]: CLIENT.clientSecret }, importDelayMs: 10, callbackMaxRetries: 0 });
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"completed"}');
      received?.({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/benevity/contract`;
});

afterAll(async () => {
  await sim?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** Submits the state's record as a one-record import and resolves with the callback it causes. */
async function callbackOfImport() {
  const token = await fetch(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const { access_token: accessToken } = (await token.json()) as { access_token: string };
  const callback = new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve) => (received = resolve));
  const submitted = await fetch(`${sim.url}/v1/volunteer-hours/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl: receiverUrl, records: [record] }),
  });
  expect(submitted.status).toBe(202);
  const { headers, body } = await callback;
  return {
    __pactMessageMetadata: { [SIGNATURE_HEADER]: String(headers[SIGNATURE_HEADER]), 'content-type': String(headers['content-type']) },
    message: JSON.parse(body) as unknown,
  };
}

const importing = async (_state: string, params?: unknown) => {
  // Message pacts carry state parameters as strings: the record travels as JSON.
  record = JSON.parse(String(stateParams(params, ['record'])['record']));
};

describe('benevity import-callback provider verification', () => {
  it('the simulator sends the callbacks the committed pact describes', async () => {
    const verified = new MessageProviderPact({
      provider: 'benevity-import-callbacks',
      pactUrls: [join(COMMITTED_PACTS, pactFileName('benevity-import-callbacks'))],
      logLevel: 'warn',
      messageProviders: {
        'an import-completion callback with one record accepted': callbackOfImport,
        'an import-completion callback with one record rejected': callbackOfImport,
      },
      stateHandlers: {
        'an import of one valid record has completed': importing,
        'an import of one record Benevity refuses has completed': importing,
      },
    }).verify();
    await expect(verified).resolves.toBeDefined();
  });
});
