import type { Messages } from './en'
import { pagesZh } from './pages/zh'

export const zh: Messages = {
  nav: {
    search: '搜索',
    jobs: '任务',
    language: '语言',
    theme: '主题',
    stats: '统计',
    settings: '设置',
    menu: '菜单',
  },
  models: {
    tagger: '标签',
    clip: 'CLIP 相似搜索',
    ocr: '图中文字识别 (OCR)',
    off: '{0} 已关闭：{1}',
  },
  theme: {
    system: '跟随系统',
    light: '浅色',
    dark: '深色',
  },
  ...pagesZh,
}
