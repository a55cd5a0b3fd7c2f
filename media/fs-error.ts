/** A file system error as a reader understands it, for error records and HTTP answers. */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT': return 'not found (deleted, moved, or a broken symbolic link)'
    case 'EACCES':
    case 'EPERM': return 'permission denied'
    case 'ELOOP': return 'symbolic link loop'
    case 'ENOTDIR': return 'not a directory'
    case 'ENAMETOOLONG': return 'path too long'
    case 'EIO': return 'input/output error (failing disk or network drive?)'
    default: return error instanceof Error ? error.message : String(error)
  }
}
