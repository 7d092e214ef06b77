/*
 * GIF decoding: giflib's record-by-record reader, compositing here.
 */
#include <string.h>

#include <gif_lib.h>

#include "img_gif_decode.h"

typedef struct {
    const unsigned char *data;
    size_t len, pos;
} img_gif_src_t;

/* One decode's state. */
typedef struct {
    GifFileType *gif;
    img_image_t *canvas;
    img_buf_t line, saved;    /* a frame's row of indices; the canvas before it */
    GraphicsControlBlock gcb; /* of the next frame */
} img_gif_t;

/* giflib's read hook: the next n bytes, fewer at the end. */
static int img_gif_read(GifFileType *g, GifByteType *out, int n)
{
    img_gif_src_t *s = g->UserData;
    size_t k = (size_t) n < s->len - s->pos ? (size_t) n : s->len - s->pos;

    memcpy(out, s->data + s->pos, k);
    s->pos += k;
    return (int) k;
}

/* Records giflib's error in err; returns -1. */
static int img_gif_fail(int code, img_err_t *err)
{
    const char *m = GifErrorString(code);

    return img_fail(err, IMG_ERR_CORRUPT, "gif: %s", m ? m : "damaged data");
}

/* Reads an extension; keeps a graphic control block for the next frame. */
static int img_gif_extension(img_gif_t *s, img_err_t *err)
{
    GifByteType *ext;
    int code;

    if (DGifGetExtension(s->gif, &code, &ext) == GIF_ERROR)
        return img_gif_fail(s->gif->Error, err);
    if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] >= 4)
        DGifExtensionToGCB(ext[0], ext + 1, &s->gcb);
    while (ext) {
        if (DGifGetExtensionNext(s->gif, &ext) == GIF_ERROR)
            return img_gif_fail(s->gif->Error, err);
    }
    return 0;
}

/* Paints row y of the frame (indices in line, clipped to the canvas). */
static void img_gif_paint(img_gif_t *s, const ColorMapObject *map, int y)
{
    const GifImageDesc *d = &s->gif->Image;
    unsigned char *dst;
    int x, cy = d->Top + y;

    if (cy < 0 || cy >= s->canvas->height)
        return;
    dst = img_row(s->canvas, cy);
    for (x = 0; x < d->Width && d->Left + x < s->canvas->width; x++) {
        int i = s->line.data[x];
        unsigned char *p = dst + (size_t) (d->Left + x) * 4;

        if (i == s->gcb.TransparentColor || i >= map->ColorCount)
            continue;
        p[0] = map->Colors[i].Red;
        p[1] = map->Colors[i].Green;
        p[2] = map->Colors[i].Blue;
        p[3] = 255;
    }
}

/* Clears the frame's rectangle on the canvas to transparent. */
static void img_gif_clear(img_gif_t *s)
{
    const GifImageDesc *d = &s->gif->Image;
    int y, x0 = d->Left, x1 = d->Left + d->Width;

    x1 = x1 > s->canvas->width ? s->canvas->width : x1;
    for (y = d->Top; x0 < x1 && y < d->Top + d->Height && y < s->canvas->height; y++)
        memset(img_row(s->canvas, y) + (size_t) x0 * 4, 0, (size_t) (x1 - x0) * 4);
}

/* Reads one frame's rows (interlaced in GIF's four passes) and paints
 * them onto the canvas. */
static int img_gif_frame(img_gif_t *s, img_err_t *err)
{
    static const int start[4] = { 0, 4, 2, 1 }, step[4] = { 8, 8, 4, 2 };
    const GifImageDesc *d;
    const ColorMapObject *map;
    int pass, y;

    if (DGifGetImageDesc(s->gif) == GIF_ERROR)
        return img_gif_fail(s->gif->Error, err);
    d = &s->gif->Image;
    map = d->ColorMap ? d->ColorMap : s->gif->SColorMap;
    if (map == NULL)
        return img_fail(err, IMG_ERR_CORRUPT, "gif: frame without a colour table");
    if (d->Width <= 0 || d->Height <= 0 || d->Left < 0 || d->Top < 0)
        return img_fail(err, IMG_ERR_CORRUPT, "gif: bad frame rectangle");
    if (img_buf_reserve(&s->line, (size_t) d->Width, err) != 0)
        return -1;
    for (pass = d->Interlace ? 0 : 3; pass < 4; pass++)
        for (y = d->Interlace ? start[pass] : 0; y < d->Height;
             y += d->Interlace ? step[pass] : 1) {
            if (DGifGetLine(s->gif, s->line.data, d->Width) == GIF_ERROR)
                return img_gif_fail(s->gif->Error, err);
            img_gif_paint(s, map, y);
        }
    return 0;
}

/* Decodes frames until the end (or the first one without frames). */
static int img_gif_frames(img_gif_t *s, const img_load_opts_t *opts, img_frames_t *frames,
                          img_err_t *err)
{
    size_t size = s->canvas->stride * (size_t) s->canvas->height;
    GifRecordType t;
    int n = 0;

    do {
        if (DGifGetRecordType(s->gif, &t) == GIF_ERROR)
            return img_gif_fail(s->gif->Error, err);
        if (t == EXTENSION_RECORD_TYPE && img_gif_extension(s, err) != 0)
            return -1;
        if (t != IMAGE_DESC_RECORD_TYPE)
            continue;
        if (frames && s->gcb.DisposalMode == DISPOSE_PREVIOUS) {
            if (img_buf_reserve(&s->saved, size, err) != 0)
                return -1;
            memcpy(s->saved.data, s->canvas->px, size);
        }
        if (img_gif_frame(s, err) != 0)
            return -1;
        n++;
        if (frames == NULL)
            return 0;
        if (img_frames_add(frames, s->canvas, s->gcb.DelayTime * 10, opts, err) != 0)
            return -1;
        if (s->gcb.DisposalMode == DISPOSE_BACKGROUND)
            img_gif_clear(s);
        else if (s->gcb.DisposalMode == DISPOSE_PREVIOUS)
            memcpy(s->canvas->px, s->saved.data, size);
        s->gcb = (GraphicsControlBlock){ DISPOSAL_UNSPECIFIED, false, 0, NO_TRANSPARENT_COLOR };
    } while (t != TERMINATE_RECORD_TYPE);
    return n ? 0 : img_fail(err, IMG_ERR_CORRUPT, "gif: no image");
}

/* See img_gif_decode.h. */
int img_gif_decode(const unsigned char *data, size_t len, const img_load_opts_t *opts,
                   img_image_t *out, img_buf_t *buf, img_frames_t *frames, img_err_t *err)
{
    img_gif_src_t src = { data, len, 0 };
    img_gif_t s = { NULL,
                    out,
                    { NULL, 0 },
                    { NULL, 0 },
                    { DISPOSAL_UNSPECIFIED, false, 0, NO_TRANSPARENT_COLOR } };
    int code = 0, rc;

    s.gif = DGifOpen(&src, img_gif_read, &code);
    if (s.gif == NULL)
        return img_gif_fail(code, err);
    if (frames)
        img_frames_reset(frames);
    rc = img_check_pixels((uint64_t) s.gif->SWidth, (uint64_t) s.gif->SHeight, opts, err);
    if (rc == 0)
        rc = img_image_alloc(out, s.gif->SWidth, s.gif->SHeight, 4, buf, err);
    if (rc == 0) {
        memset(out->px, 0, out->stride * (size_t) out->height);
        rc = img_gif_frames(&s, opts, frames, err);
    }
    DGifCloseFile(s.gif, &code);
    img_buf_free(&s.line);
    img_buf_free(&s.saved);
    return rc;
}
