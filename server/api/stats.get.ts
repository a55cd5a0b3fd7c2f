import { defineEventHandler } from 'h3'
import type { StatsReport } from '../../shared/types/api'
import { useApp } from '../app-context'

/** How many tags and users the stats page charts. */
const TOP = 15

export default defineEventHandler(async (): Promise<StatsReport> => {
  const { store } = await useApp()
  return { ...(await store.stats()), charts: await store.charts(TOP) }
})
