/*
 * The input types of the built-in plugins, as their descriptors declare
 * them (prism_plugin_t.accepts): JPEG, PNG, WebP, GIF, HEIC, HEIF and
 * AVIF, the same set as the ingress's default prism_types, so an upload
 * the ingress takes is one every built-in route reads.
 */
#ifndef IMG_ACCEPTS_H
#define IMG_ACCEPTS_H

/* NULL-terminated MIME types. */
extern const char *const img_accepts[];

#endif /* IMG_ACCEPTS_H */
