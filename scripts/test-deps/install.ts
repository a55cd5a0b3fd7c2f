// Installs what the tests run for real and the npm install cannot bring: Debian packages
// (Chromium, nginx), for the servers profile a MongoDB-wire server and Milvus, and the real
// PaddleOCR models the OCR tests and benchmark run. Each step is a no-op when its part is
// already there, so running the tests twice costs nothing.
import { installAptPackages } from './apt-packages'
import { installFerretDb } from './ferretdb'
import { installMilvus } from './milvus'
import { installOcrModels } from './ocr-models'

const log = (line: string): void => {
  process.stderr.write(`test-deps: ${line}\n`)
}

installAptPackages(log)
installFerretDb(log)
installMilvus(log)
installOcrModels(log)
