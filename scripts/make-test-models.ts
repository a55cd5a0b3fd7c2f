// Writes the tiny fixture models (CLIP, WD14 and DeepDanbooru taggers) the tests use:
//   npm run make:test-models [-- DIR]      (DIR defaults to test/fixtures/models)
import path from 'node:path'
import { writeTestModels } from './test-models/index'

const root = path.resolve(process.argv[2] ?? 'test/fixtures/models')
const written = await writeTestModels(root)
process.stdout.write(`wrote ${written.map((name) => path.join(root, name)).join(', ')}\n`)
