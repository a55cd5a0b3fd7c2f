/** The FerretDB test server the servers-profile tests use: it starts, stores, stops and comes back with its data. */
import { MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFerretDb, type FerretDbServer } from './helpers/ferretdb'

describe('FerretDB test server', () => {
  let ferret: FerretDbServer

  beforeAll(async () => {
    ferret = await startFerretDb()
  }, 60_000)
  afterAll(() => ferret?.stop())

  it('answers on 127.0.0.1 and keeps documents across a restart', async () => {
    expect(ferret.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/)
    let client = new MongoClient(ferret.url)
    await client.db('probe').collection<{ _id: number; n: string }>('things').insertMany([{ _id: 1, n: 'one' }, { _id: 2, n: 'two' }])
    const hello = await client.db('admin').command({ hello: 1 })
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17)
    await client.close()

    await ferret.stop()
    await ferret.start()
    client = new MongoClient(ferret.url)
    const names = await client.db('probe').collection<{ _id: number; n: string }>('things').find({}, { sort: { _id: 1 } }).toArray()
    expect(names.map((doc) => doc.n)).toEqual(['one', 'two'])
    await client.close()
  }, 60_000)
})
