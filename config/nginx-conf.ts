import { join } from 'node:path'
import type { FolderConfig } from './schema'

/** The internal prefix nginx serves files under after the app's X-Accel-Redirect; never reachable from outside. */
export const ACCEL_PREFIX = '/_sagasu'

export interface NginxConfOptions {
  folders: FolderConfig[]
  dataDir: string
  /** Where the Sagasu server listens: `host:port`. */
  upstream: string
  /** What nginx listens on: a port, or `address:port`. */
  listen: string
  /** Puts nginx's temporary files and access log in this folder (an unprivileged nginx cannot use the system's). */
  runtimeDir?: string
}

/** A path nginx cannot take literally: `$` would start a variable, a line break or NUL would end the directive. */
export class NginxPathError extends Error {
  override name = 'NginxPathError'
}

/**
 * The nginx configuration that puts nginx in front of Sagasu: nginx serves originals and thumbnails
 * from disk, the app everything else. Files still pass the app's checks — the token, the folder
 * name, `..`, symbolic links out of the folder — because nginx asks the app first (it adds
 * `X-Sagasu-Accel`) and the app answers with an `X-Accel-Redirect` to an `internal` location
 * mapped to exactly one configured folder (or the thumbnail cache), which nginx then sends itself.
 *
 * @example
 * renderNginxConf({ folders: config.folders, dataDir: config.dataDir, upstream: '127.0.0.1:3000', listen: '8080' })
 */
export function renderNginxConf(options: NginxConfOptions): string {
  const runtime = options.runtimeDir
  const folders = options.folders.map((folder) => `
        # Folder "${folder.name}": what /files/${folder.name}/… maps to once the app has checked the request.
        # Cache-Control and Content-Type (from the file's bytes) are the app's, passed on with the redirect.
        location ${ACCEL_PREFIX}/files/${folder.name}/ {
            internal;
            alias ${quote(withSlash(folder.path), `folder "${folder.name}"`)};
            # The app names the real path it checked, which has no links below the folder; nginx
            # refuses any it meets there, so a file swapped for a link after the check is not sent.
            disable_symlinks on from=$document_root;
            add_header X-Content-Type-Options nosniff always;
        }`).join('\n')
  return `# nginx in front of Sagasu: rendered by \`sagasu nginx-conf\` (docs/nginx.md) for the configured folders,
# data folder and port. Render it again after changing the folders.
#
# nginx sends originals and thumbnails from disk and passes everything else to the app. For a file,
# nginx first asks the app (with the X-Sagasu-Accel header); the app checks the token and the path as
# it always does and answers with an X-Accel-Redirect to one of the internal locations below, which
# nginx serves. So nothing outside the configured folders is ever served, and a token still applies.
# The redirect names the file's real path (no symbolic links below the folder), and nginx follows no
# link there (disable_symlinks), so swapping a file for a link between the check and the send fails.
#
# Run: nginx -c /path/to/this/nginx.conf   (test it first with nginx -t -c …)

worker_processes auto;

events {
    worker_connections 1024;
}

http {
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    default_type application/octet-stream;
    types {
        text/html html;
        text/css css;
        application/javascript js mjs;
        application/json json;
        image/png png;
        image/jpeg jpg jpeg;
        image/gif gif;
        image/webp webp;
        image/avif avif;
        image/bmp bmp;
        image/svg+xml svg;
    }
${runtime ? `
    access_log ${quote(join(runtime, 'access.log'), 'the runtime folder')};
    client_body_temp_path ${quote(join(runtime, 'client_body'), 'the runtime folder')};
    proxy_temp_path ${quote(join(runtime, 'proxy'), 'the runtime folder')};
    fastcgi_temp_path ${quote(join(runtime, 'fastcgi'), 'the runtime folder')};
    uwsgi_temp_path ${quote(join(runtime, 'uwsgi'), 'the runtime folder')};
    scgi_temp_path ${quote(join(runtime, 'scgi'), 'the runtime folder')};
` : ''}
    upstream sagasu {
        server ${options.upstream};
        keepalive 16;
    }

    server {
        listen ${options.listen};
        server_name _;
        # A search by image sends it base64-encoded in the body.
        client_max_body_size 64m;

        proxy_http_version 1.1;
${proxyHeaders('        ', '""')}

        location / {
            proxy_pass http://sagasu;
        }

        # Live job progress (server-sent events): passed on as it comes, not buffered.
        location = /api/jobs/events {
            proxy_pass http://sagasu;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 1h;
        }

        # The web app's build output: file names carry a content hash.
        location /_nuxt/ {
            proxy_pass http://sagasu;
            expires 30d;
            add_header Cache-Control "public, max-age=2592000, immutable" always;
        }

        # Originals and thumbnails: the app checks the request and names the file; nginx sends it.
        location /files/ {
            proxy_pass http://sagasu;
${proxyHeaders('            ', ACCEL_PREFIX)}
        }

        location /thumbs/ {
            proxy_pass http://sagasu;
${proxyHeaders('            ', ACCEL_PREFIX)}
        }

        # Thumbnails by content hash. Cache-Control and Content-Type are the app's, passed on with the redirect.
        location ${ACCEL_PREFIX}/thumbs/ {
            internal;
            alias ${quote(withSlash(join(options.dataDir, 'thumbs')), 'the data folder')};
            disable_symlinks on from=$document_root;
            add_header X-Content-Type-Options nosniff always;
        }
${folders}
    }
}
`
}

/**
 * The headers nginx adds when it passes a request on. Repeated in full wherever X-Sagasu-Accel differs:
 * a location with any proxy_set_header inherits none from the server block. Only the file locations
 * ask the app for an X-Accel-Redirect; elsewhere the header is cleared so a client cannot ask.
 */
function proxyHeaders(indent: string, accel: string): string {
  return [
    'proxy_set_header Connection "";',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    `proxy_set_header X-Sagasu-Accel ${accel};`,
  ].map((line) => `${indent}${line}`).join('\n')
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

/** A double-quoted nginx string; refuses what nginx would read as something else. */
function quote(path: string, what: string): string {
  if (/[$\n\r\0]/.test(path)) throw new NginxPathError(`${what}: nginx cannot serve the path ${JSON.stringify(path)} (it holds "$" or a line break); rename or link it`)
  return `"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}
