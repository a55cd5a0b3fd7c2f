// Word lists for the synthetic query-benchmark index (bench/query.bench.ts). Real names at the head
// of each list, where a tagger or a downloader puts the most frequent ones; generated names fill the tail.
import { Rng } from './random'

/** The most frequent general tags of an anime-illustration tagger, most frequent first (many `*_hair`). */
const GENERAL_HEAD = [
  '1girl', 'solo', 'long_hair', 'looking_at_viewer', 'smile', 'blush', 'open_mouth', 'short_hair', 'bangs', 'simple_background',
  'skirt', 'blonde_hair', 'breasts', 'brown_hair', 'shirt', 'black_hair', 'hair_ornament', 'long_sleeves', 'red_eyes', 'white_background',
  'very_long_hair', 'thighhighs', 'dress', 'gloves', 'blue_hair', 'blue_eyes', 'holding', 'hat', 'bow', 'white_hair',
  'navel', 'ribbon', 'medium_hair', 'jewelry', 'pink_hair', 'cleavage', 'closed_mouth', 'animal_ears', 'school_uniform', 'red_hair',
  'standing', 'upper_body', 'jacket', 'sitting', 'purple_eyes', 'purple_hair', 'tail', 'full_body', 'green_eyes', 'yellow_eyes',
  'twintails', 'multiple_girls', 'hair_between_eyes', 'weapon', 'brown_eyes', 'closed_eyes', 'hair_ribbon', 'ponytail', 'braid', 'grey_hair',
  'silver_hair', 'hairband', 'pantyhose', 'swimsuit', 'flower', 'sky', 'outdoors', 'cloud', 'day', 'green_hair',
  'sweat', 'wings', 'frills', 'pleated_skirt', 'collarbone', 'bare_shoulders', 'multicolored_hair', 'food', 'choker', 'night',
]

/** More `*_hair` names, placed further down the frequency ranking (index = rank). */
const GENERAL_HAIR_LATER: Array<[string, number]> = [
  ['two-tone_hair', 120], ['streaked_hair', 150], ['orange_hair', 200], ['aqua_hair', 250], ['floating_hair', 300],
  ['wavy_hair', 400], ['messy_hair', 700], ['wet_hair', 1500], ['gradient_hair', 2500], ['hair_over_shoulder', 3000], ['spiked_hair', 4000],
]

const ADJECTIVES = [
  'red', 'blue', 'green', 'black', 'white', 'pink', 'purple', 'yellow', 'orange', 'grey', 'brown', 'silver', 'gold', 'striped', 'plaid',
  'checkered', 'frilled', 'lace', 'torn', 'wet', 'see-through', 'oversized', 'sleeveless', 'strapless', 'off-shoulder', 'detached', 'open',
  'holding', 'hand_on', 'crossed', 'single', 'double', 'small', 'large', 'long', 'short', 'high', 'low', 'side', 'back', 'front', 'inner',
  'outer', 'mini', 'floral', 'polka_dot', 'heart', 'star', 'cat', 'rabbit', 'fox', 'dog', 'bird', 'fish', 'winter', 'summer', 'spring',
  'autumn', 'christmas', 'halloween', 'school', 'military', 'maid', 'nurse', 'idol', 'sailor', 'china', 'gothic', 'lolita', 'chibi',
  'fake', 'glowing', 'broken', 'bloody', 'shiny', 'dark', 'light', 'two-tone', 'multicolored', 'gradient', 'animal', 'mechanical', 'wooden',
]
const NOUNS = [
  'dress', 'skirt', 'shirt', 'jacket', 'coat', 'gloves', 'boots', 'shoes', 'socks', 'bow', 'ribbon', 'necktie', 'scarf', 'hat', 'cap',
  'headwear', 'hairband', 'earrings', 'necklace', 'bracelet', 'choker', 'belt', 'bag', 'umbrella', 'sword', 'gun', 'book', 'cup', 'phone',
  'flower', 'leaf', 'tree', 'sky', 'cloud', 'moon', 'sun', 'water', 'fire', 'ice', 'background', 'border', 'frame', 'eyes', 'pupils',
  'eyebrows', 'eyelashes', 'legs', 'arms', 'hands', 'feet', 'tail', 'ears', 'wings', 'horns', 'halo', 'collar', 'sleeves', 'cape', 'apron',
  'uniform', 'kimono', 'swimsuit', 'bikini', 'leotard', 'pantyhose', 'thighhighs', 'shorts', 'vest', 'hoodie', 'sweater', 'armor',
  'mask', 'glasses', 'helmet', 'crown', 'petals', 'feathers', 'stars', 'hearts', 'bubbles', 'window', 'room', 'street', 'bed', 'chair',
]

const FAMILY = [
  'hakurei', 'kirisame', 'izayoi', 'konpaku', 'saigyouji', 'remilia', 'kochiya', 'shameimaru', 'hinanawi', 'fujiwara', 'souryuu', 'ayanami',
  'tohsaka', 'matou', 'emiya', 'kaname', 'akemi', 'miki', 'tomoe', 'sakura', 'takanashi', 'hoshino', 'minato', 'shirakami', 'nakano',
  'kousaka', 'gotou', 'ijichi', 'yamada', 'kita', 'asuna', 'kirigaya', 'yuuki', 'shinomiya', 'fujiwara_no', 'yukinoshita', 'yuigahama',
  'isshiki', 'kasumigaoka', 'katou', 'sawamura', 'hyoudou', 'rias', 'himejima', 'toujou', 'yoshida', 'nishikino', 'hoshizora', 'minami',
  'sonoda', 'ayase', 'toujou_nozomi', 'koizumi', 'yazawa', 'kurosawa', 'takami', 'watanabe', 'sakurauchi', 'tsushima', 'ohara', 'kunikida',
]
const GIVEN = [
  'reimu', 'marisa', 'sakuya', 'youmu', 'yuyuko', 'scarlet', 'sanae', 'aya', 'tenshi', 'mokou', 'asuka', 'rei', 'rin', 'sakura', 'shirou',
  'madoka', 'homura', 'sayaka', 'mami', 'miku', 'kiara', 'ai', 'aqua', 'fubuki', 'miku_n', 'honoka', 'hitori', 'nijika', 'ryou', 'ikuyo',
  'yuuki', 'kazuto', 'kaguya', 'chika', 'yukino', 'yui', 'iroha', 'utaha', 'megumi', 'eriri', 'issei', 'gremory', 'akeno', 'koneko',
  'yuuko', 'maki', 'rin_h', 'kotori', 'umi', 'eli', 'nozomi', 'hanayo', 'nico', 'dia', 'ruby', 'chika_t', 'you', 'riko', 'yoshiko', 'mari',
]
const SERIES = [
  'touhou', 'kancolle', 'azur_lane', 'genshin_impact', 'blue_archive', 'fate', 'hololive', 'idolmaster', 'love_live!', 'pokemon',
  'arknights', 'honkai', 'umamusume', 'vocaloid', 'original', 'bocchi_the_rock!', 'madoka_magica', 'evangelion', 'precure', 'nijisanji',
]
const CHARACTER_HEAD = [
  'hatsune_miku', 'hakurei_reimu', 'kirisame_marisa', 'izayoi_sakuya', 'remilia_scarlet', 'flandre_scarlet', 'konpaku_youmu', 'cirno',
  'patchouli_knowledge', 'kochiya_sanae', 'souryuu_asuka_langley', 'ayanami_rei', 'tohsaka_rin', 'saber_(fate)', 'gotou_hitori',
  'kaname_madoka', 'akemi_homura', 'gawr_gura', 'houshou_marine', 'usada_pekora',
]

/** Pixiv tags (tags1 of pixiv images), most frequent first. */
const PIXIV_TAGS_HEAD = [
  'オリジナル', '女の子', '東方Project', '艦これ', '初音ミク', '落書き', '風景', '百合', '制服', '猫耳', 'ホロライブ', 'ブルーアーカイブ',
  '原神', 'ウマ娘', 'アズールレーン', 'FGO', 'ポケモン', 'VOCALOID', 'アイドルマスター', 'ラブライブ!', '創作', '厚塗り', 'らくがき', '水着',
  '巫女', 'メイド', 'ツインテール', 'ポニーテール', '眼鏡', '和服', '浴衣', '夏', '冬', '桜', '夕焼け', '夜空', 'ファンタジー', '魔法少女',
  '獣耳', 'セーラー服', '黒髪ロング', '銀髪', '金髪', '赤目', 'オッドアイ', 'ぼっち・ざ・ろっく!', '博麗霊夢', '霧雨魔理沙', '東方', 'C103',
]
const KATAKANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンガギグゲゴザジズゼゾダデドバビブベボパピプペポ'.split('')
const KANJI = '花月星空海山川雪風雨光影夢恋愛心色猫犬鳥魚桜森街夜朝夏冬春秋少女神姫魔剣城島戦記物語学園'.split('')

/** Japanese OCR words, most frequent first. 東京 (two characters, the substring fallback) sits at rank 12. */
const OCR_JA = [
  'の', 'です', 'ありがとう', 'これ', '今日', '新刊', 'お願いします', '大丈夫', '好き', '先生', '明日', '可愛い', '東京', '学校', 'サンプル',
  '頒布', '予定', '告知', '表紙', 'コミケ', '通販', '委託', '限定', '発売', '開催', '会場', '世界', '時間', '本当', '気持ち', '一緒', '友達',
  '雨', '夏', '冬', '春', '秋', '空', '海', '猫', '犬', '夢', '愛', '心', '星', '月', '光', '声', '顔', 'よろしく', 'おはよう', 'おやすみ',
  'すごい', 'やった', 'なんで', 'ちょっと', 'まって', 'だめ', 'いいよ', 'ほんと', '大好き', 'お疲れ様', '誕生日', 'おめでとう', '記念',
  '完成', '進捗', '原稿', '締切', 'イベント', 'スペース', '新作', '再販', 'ページ', 'フルカラー', '価格', '円', '注意', '無断転載禁止',
]
/** English OCR words, most frequent first. `school` sits at rank 25. */
const OCR_EN = [
  'the', 'you', 'and', 'this', 'is', 'to', 'of', 'it', 'for', 'new', 'my', 'love', 'happy', 'day', 'birthday', 'please', 'thank', 'sample',
  'book', 'event', 'comic', 'page', 'color', 'art', 'sale', 'school', 'summer', 'winter', 'night', 'dream', 'world', 'star', 'moon',
  'coffee', 'tea', 'cafe', 'shop', 'open', 'close', 'game', 'over', 'start', 'level', 'score', 'time', 'limited', 'edition', 'free',
  'welcome', 'hello', 'good', 'morning', 'sweet', 'cute', 'magic', 'girl', 'boy', 'music', 'live', 'stage', 'tour', 'ticket', 'merry',
  'christmas', 'halloween', 'valentine', 'chocolate', 'strawberry', 'milk', 'danger', 'warning', 'exit', 'station', 'city', 'tokyo',
]

/** Prompt words beyond the tag names, most frequent first. `sunset` sits at rank 14. */
const PROMPT_EXTRA = [
  'masterpiece', 'best quality', 'highres', 'absurdres', 'ultra detailed', 'detailed background', 'beautiful detailed eyes', 'depth of field',
  'cinematic lighting', 'night sky', 'cherry blossoms', 'city lights', 'beach', 'rain', 'sunset', 'starry sky', 'from above', 'from below',
  'dynamic angle', 'looking back', 'wind', 'light particles', 'bokeh', 'watercolor', 'sketch', 'official art', 'game cg', 'anime screencap',
]
export const NEGATIVE_WORDS = [
  'lowres', 'bad anatomy', 'bad hands', 'text', 'error', 'missing fingers', 'extra digit', 'fewer digits', 'cropped', 'worst quality',
  'low quality', 'normal quality', 'jpeg artifacts', 'signature', 'watermark', 'username', 'blurry', 'easynegative', 'bad-hands-5', 'nsfw',
]
export const MODELS = ['animagine-xl-3.1', 'ponyDiffusionV6XL', 'anything-v5', 'counterfeit-v3', 'nai-diffusion-3', 'meinamix_v11', 'illustrious-xl-v1']
export const SAMPLERS = ['Euler a', 'DPM++ 2M Karras', 'DPM++ SDE Karras', 'euler_ancestral', 'dpmpp_2m', 'k_euler_ancestral', 'DDIM']

export const RATINGS = ['rating:general', 'rating:sensitive', 'rating:questionable', 'rating:explicit']

export interface Vocabulary {
  /** General tag names, index = frequency rank. */
  general: string[]
  /** Character tag names, index = frequency rank. */
  characters: string[]
  pixivTags: string[]
  ocrJa: string[]
  ocrEn: string[]
  /** Prompt words: tag-like phrases and quality words, index = frequency rank. */
  prompt: string[]
}

/** Deterministic word lists: `generalCount` + `characterCount` + 4 ratings tag names in all. */
export function buildVocabulary(generalCount: number, characterCount: number, seed = 1): Vocabulary {
  const rng = new Rng(seed)
  const used = new Set<string>()
  const take = (name: string) => (used.has(name) ? false : (used.add(name), true))

  const general: string[] = []
  for (const name of GENERAL_HEAD) if (take(name)) general.push(name)
  for (const [name] of GENERAL_HAIR_LATER) take(name)
  const combos: string[] = []
  for (const adjective of ADJECTIVES) for (const noun of NOUNS) combos.push(`${adjective}_${noun}`)
  rng.shuffle(combos)
  for (const name of combos) {
    if (general.length >= generalCount - GENERAL_HAIR_LATER.length) break
    if (take(name)) general.push(name)
  }
  for (let n = 0; general.length < generalCount - GENERAL_HAIR_LATER.length; n++) if (take(`motif_${n}`)) general.push(`motif_${n}`)
  for (const [name, rank] of GENERAL_HAIR_LATER) general.splice(Math.min(rank, general.length), 0, name)

  const characters: string[] = []
  for (const name of CHARACTER_HEAD) if (take(name)) characters.push(name)
  const people: string[] = []
  for (const family of FAMILY) for (const given of GIVEN) people.push(`${family}_${given}`)
  rng.shuffle(people)
  for (const person of people) {
    if (characters.length >= characterCount) break
    const name = rng.next() < 0.4 ? `${person}_(${rng.pick(SERIES)})` : person
    if (take(name)) characters.push(name)
  }
  for (let n = 0; characters.length < characterCount; n++) if (take(`character_${n}_(${SERIES[n % SERIES.length]})`)) characters.push(`character_${n}_(${SERIES[n % SERIES.length]})`)

  const pixivSeen = new Set(PIXIV_TAGS_HEAD)
  const pixivTags = [...PIXIV_TAGS_HEAD]
  while (pixivTags.length < 5000) {
    const word = rng.next() < 0.5
      ? Array.from({ length: rng.int(2, 6) }, () => rng.pick(KATAKANA)).join('')
      : Array.from({ length: rng.int(2, 4) }, () => rng.pick(KANJI)).join('')
    if (!pixivSeen.has(word)) (pixivSeen.add(word), pixivTags.push(word))
  }

  const prompt: string[] = []
  const tagPhrases = general.slice(0, 400).map((name) => name.replaceAll('_', ' '))
  // Quality words and scene words interleaved with the tag phrases by rank.
  for (let k = 0, t = 0; k < PROMPT_EXTRA.length || t < tagPhrases.length;) {
    if (k < PROMPT_EXTRA.length && (t >= tagPhrases.length || prompt.length % 2 === 0 || k < 4)) prompt.push(PROMPT_EXTRA[k++]!)
    else prompt.push(tagPhrases[t++]!)
  }
  return { general, characters, pixivTags, ocrJa: OCR_JA, ocrEn: OCR_EN, prompt }
}
