/**
 * The OCR stage's version, stored with each image's OCR mark (`image_stages`, or the servers
 * profile's stage marks): an image marked under another version is pending again, and its text is
 * replaced when it is read (an image now read as text-free loses its old text). So the version names
 * everything that changes what is stored: the engine, its model (by content, not only by name or
 * path), and our own pre- and post-processing.
 */

/** Bumped when preprocessing or text tidying changes what either engine stores. 2: full-width CJK punctuation kept, transparency onto a contrasting background. */
export const OCR_PIPELINE_REVISION = 2

const TESSERACT_JS = '7.0.0'

/** `paddle:<model name or path>#<sha256 prefix of det, rec, cls, dict>/r<revision>` */
export function paddleStageVersion(modelIdentity: string, revision = OCR_PIPELINE_REVISION): string {
  return `paddle:${modelIdentity}/r${revision}`
}

/** `tesseract.js@7.0.0/<data>/<languages>/r<revision>`: the traineddata variant and languages are its model. */
export function tesseractStageVersion(dataVariant: string, languages: readonly string[], revision = OCR_PIPELINE_REVISION): string {
  return `tesseract.js@${TESSERACT_JS}/${dataVariant}/${languages.join('+')}/r${revision}`
}
