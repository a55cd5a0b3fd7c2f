import { defineEventHandler } from 'h3'
import type { PixivJobStatus } from '../../../shared/types/api'
import { useApp } from '../../app-context'

/** The current (or last) background pixiv run, and what is known about the library's works. */
export default defineEventHandler(async (): Promise<PixivJobStatus> => (await useApp()).pixiv.status())
