import type Database from 'better-sqlite3'

/**
 * Schema versions, applied in order; PRAGMA user_version records how many ran.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE images (
    id          INTEGER PRIMARY KEY,
    folder      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    filename    TEXT    NOT NULL,
    ext         TEXT    NOT NULL,
    filesize    INTEGER NOT NULL,
    mtime       INTEGER NOT NULL,
    hash        TEXT    NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    format      TEXT    NOT NULL,
    animated    INTEGER NOT NULL,
    frames      INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    illustid    TEXT,
    page        INTEGER,
    userid      TEXT,
    username    TEXT,
    tweetid     TEXT,
    postid      TEXT,
    date        INTEGER,
    textlen     INTEGER NOT NULL DEFAULT 0,
    text        TEXT,
    added_at    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (folder, path)
  );
  CREATE INDEX images_hash ON images (hash);
  CREATE INDEX images_type ON images (type);
  CREATE INDEX images_userid ON images (userid);
  CREATE INDEX images_illustid ON images (illustid, page);
  CREATE INDEX images_date ON images (date);
  CREATE INDEX images_added ON images (added_at);
  CREATE INDEX images_filesize ON images (filesize);

  CREATE TABLE ai_parameters (
    image_id        INTEGER PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    source          TEXT NOT NULL,
    prompt          TEXT NOT NULL,
    negative_prompt TEXT,
    seed            INTEGER,
    steps           INTEGER,
    cfg             REAL,
    sampler         TEXT,
    model           TEXT,
    extra           TEXT,
    raw             TEXT NOT NULL
  );

  -- A rowid table on purpose: rowid order keeps the source's tag order.
  CREATE TABLE tags1 (
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    value    TEXT    NOT NULL,
    UNIQUE (image_id, value)
  );
  CREATE INDEX tags1_value ON tags1 (value, image_id);

  CREATE TABLE tag_names (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL DEFAULT 'general'
  );
  CREATE TABLE image_tags (
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tag_names (id),
    score    REAL    NOT NULL,
    PRIMARY KEY (image_id, tag_id)
  ) WITHOUT ROWID;
  CREATE INDEX image_tags_tag ON image_tags (tag_id, score);

  -- Which model stages have run on an image, and with which model version (the later model issue fills it).
  CREATE TABLE image_stages (
    image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    stage    TEXT    NOT NULL,
    version  TEXT    NOT NULL,
    done_at  INTEGER NOT NULL,
    PRIMARY KEY (image_id, stage)
  ) WITHOUT ROWID;

  -- Trigram tokens find Japanese and Chinese substrings, which have no spaces between words.
  -- rowid is the image id.
  CREATE VIRTUAL TABLE fulltext USING fts5 (ocr, prompt, negative_prompt, tags1, tokenize = 'trigram');

  CREATE TABLE errors (
    folder   TEXT    NOT NULL,
    path     TEXT    NOT NULL,
    stage    TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    level    TEXT    NOT NULL,
    filesize INTEGER,
    mtime    INTEGER,
    at       INTEGER NOT NULL,
    PRIMARY KEY (folder, path)
  );

  CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    worker      TEXT,
    lease_until INTEGER,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (kind, key)
  );
  CREATE INDEX jobs_claim ON jobs (kind, status, id);
  `,
  // 2: per-tag image counts for autocomplete, kept by triggers (foreign-key cascades fire them too).
  `
  ALTER TABLE tag_names ADD COLUMN image_count INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX tag_names_count ON tag_names (image_count DESC);
  CREATE TRIGGER image_tags_counted AFTER INSERT ON image_tags BEGIN
    UPDATE tag_names SET image_count = image_count + 1 WHERE id = NEW.tag_id;
  END;
  CREATE TRIGGER image_tags_uncounted AFTER DELETE ON image_tags BEGIN
    UPDATE tag_names SET image_count = image_count - 1 WHERE id = OLD.tag_id;
  END;
  `,
  // 3: indexes for every sortable image column, so a page can walk the sort order and stop early.
  `
  CREATE INDEX images_width ON images (width);
  CREATE INDEX images_height ON images (height);
  CREATE INDEX images_mtime ON images (mtime);
  CREATE INDEX images_textlen ON images (textlen);
  CREATE INDEX images_username ON images (username);
  `,
  // 4: prompt search (GET /api/prompts/search): an FTS5 index over the AI prompts with a word tokenizer
  // (the trigram `fulltext` table serves the query language's `prompt;` clause). It stores no text
  // of its own (external content: ai_parameters) and is kept in step by triggers, which foreign-key
  // cascades fire too; `rebuild` fills it for the rows already there.
  `
  CREATE VIRTUAL TABLE prompt_fts USING fts5 (
    prompt, negative_prompt,
    content = 'ai_parameters', content_rowid = 'image_id',
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER ai_parameters_fts_inserted AFTER INSERT ON ai_parameters BEGIN
    INSERT INTO prompt_fts (rowid, prompt, negative_prompt) VALUES (NEW.image_id, NEW.prompt, NEW.negative_prompt);
  END;
  CREATE TRIGGER ai_parameters_fts_deleted AFTER DELETE ON ai_parameters BEGIN
    INSERT INTO prompt_fts (prompt_fts, rowid, prompt, negative_prompt) VALUES ('delete', OLD.image_id, OLD.prompt, OLD.negative_prompt);
  END;
  CREATE TRIGGER ai_parameters_fts_updated AFTER UPDATE ON ai_parameters BEGIN
    INSERT INTO prompt_fts (prompt_fts, rowid, prompt, negative_prompt) VALUES ('delete', OLD.image_id, OLD.prompt, OLD.negative_prompt);
    INSERT INTO prompt_fts (rowid, prompt, negative_prompt) VALUES (NEW.image_id, NEW.prompt, NEW.negative_prompt);
  END;
  INSERT INTO prompt_fts (prompt_fts) VALUES ('rebuild');
  `,
  // 5: dataset batch sets (docs/dataset-api.md). Members are a snapshot: no foreign key to images,
  // so a batch keeps its shape when images go; the content hash finds a copy or a re-import.
  // `seed` has no declared type so a number stays a number and a string a string.
  `
  CREATE TABLE batch_sets (
    key               INTEGER PRIMARY KEY,
    id                TEXT    NOT NULL UNIQUE,
    created_at        INTEGER NOT NULL,
    batch_size        INTEGER NOT NULL,
    validation_split  REAL    NOT NULL,
    test_split        REAL    NOT NULL,
    seed                      NOT NULL,
    query             TEXT    NOT NULL,
    train_images      INTEGER NOT NULL,
    validation_images INTEGER NOT NULL,
    test_images       INTEGER NOT NULL
  );
  -- split: 0 train, 1 validation, 2 test; position: 0-based order within the split.
  CREATE TABLE batch_members (
    set_key  INTEGER NOT NULL REFERENCES batch_sets (key) ON DELETE CASCADE,
    split    INTEGER NOT NULL,
    position INTEGER NOT NULL,
    image_id INTEGER NOT NULL,
    hash     TEXT    NOT NULL,
    PRIMARY KEY (set_key, split, position)
  ) WITHOUT ROWID;
  `,
  // 6: pixiv metadata. Every fetch outcome per work, and the query fields copied onto each page image.
  `
  CREATE TABLE pixiv_works (
    illustid    TEXT    PRIMARY KEY,
    -- The last fetch: ok, deleted, restricted (pixiv's answers) or failed (transient, after every retry).
    status      TEXT    NOT NULL,
    message     TEXT,
    -- HTTP requests sent for this work, over every run.
    attempts    INTEGER NOT NULL DEFAULT 0,
    fetched_at  INTEGER NOT NULL,
    -- The columns below hold the last successful fetch; metadata_at is NULL until there is one.
    metadata_at INTEGER,
    title       TEXT,
    user_id     TEXT,
    user_name   TEXT,
    create_date INTEGER,
    views       INTEGER,
    likes       INTEGER,
    bookmarks   INTEGER,
    comments    INTEGER,
    -- HTML as pixiv sends it.
    description TEXT,
    -- JSON: [{"tag": "…", "translation": "…"}] in pixiv's order.
    tags        TEXT
  );
  CREATE INDEX pixiv_works_user ON pixiv_works (user_id);

  ALTER TABLE images ADD COLUMN title TEXT;
  ALTER TABLE images ADD COLUMN views INTEGER;
  ALTER TABLE images ADD COLUMN likes INTEGER;
  ALTER TABLE images ADD COLUMN bookmarks INTEGER;
  ALTER TABLE images ADD COLUMN comments INTEGER;
  CREATE INDEX images_views ON images (views);
  CREATE INDEX images_likes ON images (likes);
  CREATE INDEX images_bookmarks ON images (bookmarks);
  CREATE INDEX images_comments ON images (comments);
  `,
  // 7: image embeddings (CLIP), the source of truth the vector index is built from, and their change log.
  `
  CREATE TABLE image_embeddings (
    model      TEXT    NOT NULL,
    image_id   INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    dims       INTEGER NOT NULL,
    -- float32 little-endian, L2-normalised: kept exact so a rebuild or a profile migration never
    -- recomputes model outputs and never rounds twice (the index itself holds float16).
    vector     BLOB    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (model, image_id)
  );
  CREATE INDEX image_embeddings_image ON image_embeddings (image_id);

  -- Every change of an embedding, in commit order: the vector index of each process applies the
  -- changes after the last one it holds (its own writes and other processes' alike).
  CREATE TABLE embedding_changes (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    model    TEXT    NOT NULL,
    image_id INTEGER NOT NULL
  );
  CREATE INDEX embedding_changes_model ON embedding_changes (model, seq);
  CREATE TRIGGER image_embeddings_inserted AFTER INSERT ON image_embeddings BEGIN
    INSERT INTO embedding_changes (model, image_id) VALUES (new.model, new.image_id);
  END;
  CREATE TRIGGER image_embeddings_updated AFTER UPDATE ON image_embeddings BEGIN
    INSERT INTO embedding_changes (model, image_id) VALUES (new.model, new.image_id);
  END;
  CREATE TRIGGER image_embeddings_deleted AFTER DELETE ON image_embeddings BEGIN
    INSERT INTO embedding_changes (model, image_id) VALUES (old.model, old.image_id);
  END;
  `,
  // 8: model-stage progress (GET /api/jobs, polled) counts rows per stage and version from an index.
  `
  CREATE INDEX image_stages_version ON image_stages (stage, version);
  `,
  // 9: the embedding change log is pruned up to a saved index's position; a process whose index in
  // memory is older than the pruned point reloads the saved one instead of missing changes.
  `
  CREATE TABLE embedding_log_floor (
    model TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
  ) STRICT;
  `,
  // 10: an error record says whether its failure was the machine's (disk full, too many open files,
  // a store that could not write): the next import retries those by itself. health_probe is the
  // one-row table GET /api/health writes to prove the database can still be written.
  `
  ALTER TABLE errors ADD COLUMN transient INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL
  ) STRICT;
  `,
  // 11: a file may have one record per stage: an import failure or the extension-mismatch warning
  // (probe) next to the AI-metadata warning (ai-metadata), so neither hides the other. SQLite cannot
  // change a primary key in place: the table is copied.
  `
  CREATE TABLE errors_by_stage (
    folder    TEXT    NOT NULL,
    path      TEXT    NOT NULL,
    stage     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    level     TEXT    NOT NULL,
    filesize  INTEGER,
    mtime     INTEGER,
    at        INTEGER NOT NULL,
    transient INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (folder, path, stage)
  );
  INSERT INTO errors_by_stage (folder, path, stage, reason, level, filesize, mtime, at, transient)
    SELECT folder, path, stage, reason, level, filesize, mtime, at, transient FROM errors;
  DROP TABLE errors;
  ALTER TABLE errors_by_stage RENAME TO errors;
  `,
  // 12: the AI-metadata readers of issue 15 read what the old ones got wrong or missed. ai_reread
  // marks the images whose stored parameters may be wrong or missing under them; the next import
  // re-reads only their metadata (workers/import.ts) and clears the mark. The rule (docs/architecture.md):
  // - every ComfyUI record (base pass taken for the hires one, prompts behind switches, size never filled);
  // - a prompt that is a JSON object or array (SwarmUI, Fooocus … JSON stored as the prompt);
  // - UTF-8 decoded as Latin-1: a character U+00C2–U+00F4 (a UTF-8 lead byte) followed by one in
  //   U+0080–U+00BF (a continuation byte) in the prompt, negative prompt or raw text;
  // - A1111 text without any settings (no steps, seed nor sampler: free text taken for a prompt), or
  //   with a `CFG Scale:` the old reader could not read (Comfy Image Saver: a graph may be there too);
  // - PNG, WebP and JPEG files without AI parameters (stealth alpha data, InvokeAI chunks and JSON
  //   in EXIF are new), except those named as Twitter downloads: Twitter re-encodes every upload
  //   and keeps no metadata.
  `
  ALTER TABLE images ADD COLUMN ai_reread INTEGER NOT NULL DEFAULT 0;
  UPDATE images SET ai_reread = 1 WHERE id IN (
    SELECT image_id FROM ai_parameters
    WHERE source = 'comfyui'
      OR (ltrim(prompt, ' ' || char(9, 10, 13)) GLOB '[[{]*' AND json_valid(prompt))
      OR prompt GLOB ('*[' || char(194) || '-' || char(244) || '][' || char(128) || '-' || char(191) || ']*')
      OR coalesce(negative_prompt, '') GLOB ('*[' || char(194) || '-' || char(244) || '][' || char(128) || '-' || char(191) || ']*')
      OR raw GLOB ('*[' || char(194) || '-' || char(244) || '][' || char(128) || '-' || char(191) || ']*')
      OR (source = 'a1111' AND steps IS NULL AND seed IS NULL AND sampler IS NULL)
      OR (source = 'a1111' AND cfg IS NULL AND raw LIKE '%cfg scale:%')
  ) OR (
    format IN ('png', 'webp', 'jpeg') AND type <> 'twitter'
    AND NOT EXISTS (SELECT 1 FROM ai_parameters WHERE image_id = images.id)
  );
  `,
  // 13: the MD5 a booru named a file by (yande.re, Danbooru: issue 14), a query field like the post id.
  `
  ALTER TABLE images ADD COLUMN md5 TEXT;
  CREATE INDEX images_md5 ON images (md5);
  `,
  // 14: model work is leased (issue 16): a model stage takes images through claimStageWork, so the
  // server's background stages and \`sagasu worker --stages\` processes never run one image twice at
  // once. A lease ends when the image is marked done, released, or at lease_until.
  `
  CREATE TABLE stage_leases (
    image_id    INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    stage       TEXT    NOT NULL,
    worker      TEXT    NOT NULL,
    lease_until INTEGER NOT NULL,
    PRIMARY KEY (image_id, stage)
  ) WITHOUT ROWID;
  CREATE INDEX stage_leases_worker ON stage_leases (worker);
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the database to the newest schema (or to `target`, which tests use to build an older
 * one); refuses a database made by a newer Sagasu.
 */
export function migrate(db: Database.Database, target = SCHEMA_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(`the index was written by a newer Sagasu (schema ${current}, this one knows ${SCHEMA_VERSION}); upgrade Sagasu`)
  }
  // Each step reads the version again inside an IMMEDIATE transaction: another connection opening
  // the same index at the same moment (the server's import thread, a CLI import) waits, then sees
  // the step done, instead of running it twice.
  for (let version = current; version < target; version++) {
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number
      if (now > version) return
      db.exec(MIGRATIONS[version]!)
      db.pragma(`user_version = ${version + 1}`)
    }).immediate()
  }
}
