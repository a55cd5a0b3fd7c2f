import { defineEventHandler } from 'h3'
import { useApp } from '../../app-context'

/** Counts of the AI-generation parameters: sources, samplers, models, steps and CFG ranges. */
export default defineEventHandler(async () => (await useApp()).store.promptStats())
