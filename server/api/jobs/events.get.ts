import { createEventStream, defineEventHandler } from 'h3'
import { useApp } from '../../app-context'
import { jobsReport } from '../../services/jobs-report'
import { onShutdown } from '../../services/shutdown'

const INTERVAL_MS = 1000

/**
 * Server-sent events: a `jobs` event with the GET /api/jobs report at once and then whenever it
 * changes (checked every second), until the client goes away.
 */
export default defineEventHandler(async (event) => {
  const app = await useApp()
  const stream = createEventStream(event)
  let last = ''
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const push = async () => {
    if (closed) return
    try {
      const text = JSON.stringify(await jobsReport(app))
      if (text !== last) {
        last = text
        await stream.push({ event: 'jobs', data: text })
      }
    } catch (error) {
      await stream.push({ event: 'failure', data: JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }) })
    }
    if (!closed) timer = setTimeout(() => void push(), INTERVAL_MS)
  }
  // An open stream would hold the server's shutdown until Nitro's timeout; the page reconnects to the next server.
  const off = onShutdown(() => void stream.close())
  stream.onClosed(async () => {
    off()
    closed = true
    clearTimeout(timer)
    await stream.close()
  })
  void push()
  return stream.send()
})
