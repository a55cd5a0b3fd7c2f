import { resolve, dirname } from 'node:path'
import { defineEventHandler, setResponseStatus } from 'h3'
import { useApp } from '../app-context'
import { badRequestOrThrow, errorResponse } from '../http/error-response'
import { refuseUnlessWritable } from '../http/store-writable'
import { addFolderRequestSchema, readValidatedJson } from '../http/library-requests'
import { addFolderToFile, SettingsError } from '../services/settings-file'

/**
 * Adds a folder to the configuration file and, in a server that imports, starts watching and
 * importing it at once. The folder must be an existing directory with a name and path not yet used.
 */
export default defineEventHandler(async (event) => {
  const body = await readValidatedJson(event, addFolderRequestSchema)
  if ('error' in body) return body
  const { config, configFile, library, demo, store } = await useApp()
  if (!configFile) return errorResponse(event, 409, 'the server was started without a configuration file to add the folder to; start it with --config <file>')
  const refused = await refuseUnlessWritable(event, store)
  if (refused) return refused
  if (!demo && config.folders.some((folder) => folder.name === body.name)) return errorResponse(event, 400, `name: a folder named "${body.name}" is already configured`)
  const path = resolve(dirname(configFile), body.path)
  if (!demo && config.folders.some((folder) => folder.path === path)) return errorResponse(event, 400, `path: ${path} is already configured`)
  try {
    await addFolderToFile(configFile, body)
  } catch (error) {
    if (error instanceof SettingsError) return errorResponse(event, 400, error.message)
    return badRequestOrThrow(event, error)
  }
  // A demo library gives way to the user's own folders at the next start, not while it is served.
  const live = Boolean(library) && !demo
  if (live) void library!.addFolder({ ...body, path })
  setResponseStatus(event, 202)
  return { added: body.name, importing: live }
})
