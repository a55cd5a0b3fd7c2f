import { useLocale, useTheme } from 'vuetify'
import { languageFor, UI_LANGUAGES, type UiLanguage } from '~/locales'

export type ThemeChoice = 'system' | 'light' | 'dark'

const LANGUAGE_KEY = 'sagasu.language'
const THEME_KEY = 'sagasu.theme'

/**
 * The UI language and theme, kept in this browser's localStorage. Until the user picks one,
 * the language follows the browser's and the theme the system's (Vuetify's `system` theme).
 */
export function useUiPreferences() {
  const locale = useLocale()
  const theme = useTheme()

  function setLanguage(code: UiLanguage): void {
    locale.current.value = code
    if (import.meta.client) localStorage.setItem(LANGUAGE_KEY, code)
  }

  function setTheme(choice: ThemeChoice): void {
    theme.change(choice)
    if (import.meta.client) localStorage.setItem(THEME_KEY, choice)
  }

  /** Applies the stored choices (call once, on the client). */
  function restore(): void {
    const stored = localStorage.getItem(LANGUAGE_KEY)
    const known = UI_LANGUAGES.find(({ code }) => code === stored)
    locale.current.value = known ? known.code : languageFor(navigator.languages)
    const storedTheme = localStorage.getItem(THEME_KEY)
    if (storedTheme === 'light' || storedTheme === 'dark' || storedTheme === 'system') theme.change(storedTheme)
  }

  const themeChoice = computed<ThemeChoice>(() => theme.isSystem.value ? 'system' : theme.global.name.value === 'dark' ? 'dark' : 'light')

  /** Vuetify looks up only `$vuetify.`-prefixed keys (others come back as they are); ours sit beside its own. */
  const t = (key: string, ...params: unknown[]): string => locale.t(key.startsWith('$vuetify.') ? key : `$vuetify.${key}`, ...params)

  return { t, language: locale.current, setLanguage, themeChoice, setTheme, restore }
}
