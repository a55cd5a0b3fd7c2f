/**
 * Waits for `work` at most `ms`: true when it settled (either way) in time, false when the time ran
 * out first. A stop uses it to give work in progress a moment to reach a safe point without ever
 * waiting on it for long.
 */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  if (!Number.isFinite(ms)) {
    await work.catch(() => undefined)
    return true
  }
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([work.then(() => true as const, () => true as const), late])
  } finally {
    clearTimeout(timer)
  }
}
