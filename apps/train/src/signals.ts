// SIGINT / SIGTERM → an AbortSignal the training loop checks between steps, so it writes a
// checkpoint and returns instead of dying mid-write. A second signal exits at once.

export async function withSignals<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
    console.error(
      `\n${name}: writing a checkpoint at the end of this step (send again to quit now)`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
