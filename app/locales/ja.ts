import type { Messages } from './en'
import { pagesJa } from './pages/ja'

export const ja: Messages = {
  nav: {
    search: '検索',
    jobs: 'ジョブ',
    language: '言語',
    theme: 'テーマ',
    stats: '統計',
    settings: '設定',
    menu: 'メニュー',
  },
  models: {
    tagger: 'タグ付け',
    clip: 'CLIP 類似検索',
    ocr: '画像内の文字認識 (OCR)',
    off: '{0} は無効です: {1}',
  },
  theme: {
    system: 'システムに合わせる',
    light: 'ライト',
    dark: 'ダーク',
  },
  ...pagesJa,
}
