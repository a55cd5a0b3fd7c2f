import { defineEventHandler } from 'h3'
import type { SettingsReport } from '../../shared/types/settings'
import { useApp } from '../app-context'
import { settingsReport } from '../services/settings-report'

/** The editable settings as the configuration file has them, and each model's status. */
export default defineEventHandler(async (): Promise<SettingsReport> => settingsReport(await useApp()))
