/**
 * kafkajs 2.2.4 (unmaintained since 2023) schedules a timer with a negative delay in
 * RequestQueue.scheduleCheckPendingRequests whenever it is not throttled; Node ≥ 23 warns
 * (TimeoutNegativeWarning) and clamps the delay to 1 ms, which is what kafkajs meant. The warning
 * is noise on every connection, so exactly that warning is dropped; every other one is printed as
 * Node would.
 */
let installed = false;

export function silenceKafkajsTimeoutWarning(): void {
  if (installed) return;
  installed = true;
  const original = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const listener of original) listener(warning);
  });
}
