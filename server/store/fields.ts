/**
 * Fields a plain comparison or a sort may name, with their value type. Shared by both store
 * profiles so they accept exactly the same requests.
 */
export const IMAGE_FIELDS = {
  id: 'number',
  folder: 'string',
  path: 'string',
  filename: 'string',
  ext: 'string',
  filesize: 'number',
  mtime: 'date',
  hash: 'string',
  width: 'number',
  height: 'number',
  format: 'string',
  animated: 'boolean',
  frames: 'number',
  type: 'string',
  illustid: 'string',
  page: 'number',
  userid: 'string',
  username: 'string',
  tweetid: 'string',
  postid: 'string',
  date: 'date',
  textlen: 'number',
  added: 'date',
} as const

export type ImageField = keyof typeof IMAGE_FIELDS

export function isImageField(name: string): name is ImageField {
  return Object.hasOwn(IMAGE_FIELDS, name)
}
