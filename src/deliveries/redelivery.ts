/**
 * What a message on a deliver topic asks for beyond a first delivery: the replay that put it there
 * and, for a redrive or a `--force`, the generation of the delivery it is for. Both travel as
 * headers; neither is trusted alone — a generation counts only when an operator granted it
 * (`delivery_generations`, see DeliveryRepository.state), so a forged header sends nothing again.
 */
import type { Headers } from '../kafka/ports.ts';

export const REDELIVERY_HEADERS = {
  generation: 'impact-generation',
  replayId: 'impact-replay-id',
} as const;

export interface Redelivery {
  /** The generation asked for (0: a first delivery, or a replay of one never delivered). */
  readonly generation: number;
  readonly replayId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The redelivery a message's headers ask for; absent or malformed headers ask for nothing. */
export function redeliveryOf(headers: Headers): Redelivery {
  const raw = headers[REDELIVERY_HEADERS.generation];
  const generation = raw !== undefined && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : 0;
  const replayId = headers[REDELIVERY_HEADERS.replayId];
  return { generation, replayId: replayId !== undefined && UUID.test(replayId) ? replayId.toLowerCase() : null };
}

/** The headers that ask for a redelivery (what redrive and replay put on the messages they produce). */
export function redeliveryHeaders(redelivery: Redelivery): Record<string, string> {
  const headers: Record<string, string> = {};
  if (redelivery.generation > 0) headers[REDELIVERY_HEADERS.generation] = String(redelivery.generation);
  if (redelivery.replayId) headers[REDELIVERY_HEADERS.replayId] = redelivery.replayId;
  return headers;
}

export const NO_REDELIVERY: Redelivery = { generation: 0, replayId: null };

/** The fields a result carries for a later generation or a replay (none for a plain first delivery). */
export function resultTags(state: { readonly generation: number; readonly replayId: string | null }): {
  generation?: number;
  replayId?: string;
} {
  return { ...(state.generation > 0 ? { generation: state.generation } : {}), ...(state.replayId ? { replayId: state.replayId } : {}) };
}
