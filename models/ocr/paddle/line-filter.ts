/**
 * Whether a recognised line is stored: its mean character confidence reaches the floor, and it
 * holds a letter or a digit. On illustrations without text the recogniser's inventions are
 * mostly unsure (0.04–0.6), and the confident ones are lone dashes and dots read off hair
 * strands and edges; a line of punctuation alone could not be searched for anyway.
 */
export function keepsLine(text: string, confidence: number, floor: number): boolean {
  return confidence >= floor && /[\p{L}\p{N}]/u.test(text)
}
