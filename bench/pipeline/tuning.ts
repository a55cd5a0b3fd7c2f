export async function runTuning(o: unknown): Promise<string> { return String(o) }
