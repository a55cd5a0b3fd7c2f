import { en as vuetifyEn, ja as vuetifyJa, zhHans as vuetifyZh } from 'vuetify/locale'
import { en } from './en'
import { ja } from './ja'
import { zh } from './zh'

/** The UI languages, by the code Vuetify's locale system uses. */
export const UI_LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'ja', label: '日本語' },
  { code: 'zhHans', label: '简体中文' },
] as const

export type UiLanguage = typeof UI_LANGUAGES[number]['code']

/** Vuetify's own component text merged with ours: one `t()` serves both. */
export const messages = {
  en: { ...vuetifyEn, ...en },
  ja: { ...vuetifyJa, ...ja },
  zhHans: { ...vuetifyZh, ...zh },
}

/** The language to start with: the browser's first one we have, else English. */
export function languageFor(preferred: readonly string[]): UiLanguage {
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('ja')) return 'ja'
    if (lower.startsWith('zh')) return 'zhHans'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}
