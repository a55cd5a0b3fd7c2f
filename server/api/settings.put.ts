import { defineEventHandler } from 'h3'
import { useApp } from '../app-context'
import { badRequestOrThrow, errorResponse } from '../http/error-response'
import { readValidatedJson, settingsRequestSchema } from '../http/library-requests'
import { saveEditableSettings, SettingsError } from '../services/settings-file'
import { settingsReport } from '../services/settings-report'

/**
 * Writes the editable settings into the configuration file (comments and other keys kept). Invalid
 * settings are a 400 naming the key and leave the file as it was. They take effect at the next start.
 */
export default defineEventHandler(async (event) => {
  const body = await readValidatedJson(event, settingsRequestSchema)
  if ('error' in body) return body
  const app = await useApp()
  if (!app.configFile) return errorResponse(event, 409, 'the server was started without a configuration file to write to; start it with --config <file>')
  try {
    await saveEditableSettings(app.configFile, body)
  } catch (error) {
    if (error instanceof SettingsError) return errorResponse(event, 400, error.message)
    return badRequestOrThrow(event, error)
  }
  return { saved: true, restartRequired: true, ...(await settingsReport(app)) }
})
