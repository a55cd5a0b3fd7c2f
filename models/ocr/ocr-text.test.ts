import { describe, expect, it } from 'vitest'
import { tidyOcrText } from './ocr-text'

describe('tidyOcrText', () => {
  it('removes spaces between CJK characters', () => {
    expect(tidyOcrText('東 京 の 空')).toBe('東京の空')
    expect(tidyOcrText('我 们 喜 欢 看 动 画 片')).toBe('我们喜欢看动画片')
    expect(tidyOcrText('カ タ カ ナ ー')).toBe('カタカナー')
  })

  it('keeps one space between Latin words', () => {
    expect(tidyOcrText('Hello   Sagasu  2024 search')).toBe('Hello Sagasu 2024 search')
  })

  it('keeps a space between a CJK character and a Latin word, drops it next to a number', () => {
    expect(tidyOcrText('iPhone を 買 った')).toBe('iPhone を買った')
    expect(tidyOcrText('東 京 Tower')).toBe('東京 Tower')
    expect(tidyOcrText('2024 年 3 月')).toBe('2024年3月')
    expect(tidyOcrText('第 3 話')).toBe('第3話')
  })

  it('glues CJK punctuation and brackets to their neighbours', () => {
    expect(tidyOcrText('「 雨 」 、 晴 れ 。')).toBe('「雨」、晴れ。')
    expect(tidyOcrText('Hello 。 「 OK 」')).toBe('Hello。「OK」')
  })

  it('normalises circled and full-width digits and letters (NFKC)', () => {
    expect(tidyOcrText('⑳②④ 年 ③ 月 の 新 刊')).toBe('2024年3月の新刊')
    expect(tidyOcrText('Ｔｏｋｙｏ ｶﾀｶﾅ')).toBe('Tokyo カタカナ')
  })

  it('keeps full-width CJK punctuation (NFKC would make it ASCII and leave the spaces around it)', () => {
    expect(tidyOcrText('区 别 ， 因 为')).toBe('区别，因为')
    expect(tidyOcrText('区别，因为：是的；好吗？好！（真的）')).toBe('区别，因为：是的；好吗？好！（真的）')
    expect(tidyOcrText('ゴ メ ン ！ ！ ！')).toBe('ゴメン！！！')
    // Half-width CJK punctuation still becomes full-width, full-width Latin still ASCII.
    expect(tidyOcrText('｢ＯＫ｣､')).toBe('「OK」、')
  })

  it('treats ideographic spaces and tabs as spaces', () => {
    expect(tidyOcrText('雨\u3000の\t街')).toBe('雨の街')
  })

  it('keeps Hangul words apart', () => {
    expect(tidyOcrText('안녕 하세요')).toBe('안녕 하세요')
  })

  it('trims lines, drops blank ones and keeps line breaks between the rest', () => {
    expect(tidyOcrText('\n  東 京  \n\n   \n Tokyo \n')).toBe('東京\nTokyo')
  })

  it('gives an empty string for whitespace only', () => {
    expect(tidyOcrText(' \n \u3000 \n')).toBe('')
  })
})
