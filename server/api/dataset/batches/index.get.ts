import { defineEventHandler } from 'h3'
import { useApp } from '../../../app-context'

export default defineEventHandler(async () => ({ ids: await (await useApp()).store.listBatchSets() }))
