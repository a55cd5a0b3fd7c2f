// Installs what the tests run for real and the npm install cannot bring: Debian packages
// (Chromium, nginx) and, for the servers profile, a MongoDB-wire server and Milvus. Each step
// is a no-op when its part is already there, so running the tests twice costs nothing.
import { installAptPackages } from './apt-packages'
import { installFerretDb } from './ferretdb'
import { installMilvus } from './milvus'

const log = (line: string): void => {
  process.stderr.write(`test-deps: ${line}\n`)
}

installAptPackages(log)
installFerretDb(log)
installMilvus(log)
