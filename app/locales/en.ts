import { pagesEn } from './pages/en'

/** English UI text; the other languages mirror these keys (a test checks they match). */
export const en = {
  nav: {
    search: 'Search',
    jobs: 'Jobs',
    language: 'Language',
    theme: 'Theme',
    stats: 'Statistics',
    settings: 'Settings',
    menu: 'Menu',
  },
  models: {
    tagger: 'Tagging',
    clip: 'CLIP similarity search',
    ocr: 'Reading text in images (OCR)',
    off: '{0} is off: {1}',
  },
  theme: {
    system: 'Follow the system',
    light: 'Light',
    dark: 'Dark',
  },
  ...pagesEn,
}

export type Messages = typeof en
