// Shared with the server (the dataset API returns the same URLs); re-exported here for auto-import.
export { originalUrl, sourceLinks, sourceUrl, thumbnailUrl } from '#shared/image-urls'
