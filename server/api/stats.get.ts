import { defineEventHandler } from 'h3'
import { useApp } from '../app-context'

export default defineEventHandler(async () => (await useApp()).store.stats())
