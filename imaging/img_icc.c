/*
 * lcms2 transforms into sRGB, cached per profile.
 */
#include <math.h>
#include <string.h>

#include <lcms2.h>

#include "img_icc.h"

/* The sRGB tone curve as an lcms parametric curve (type 4). */
static const cmsFloat64Number img_srgb_params[5] = { 2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92,
                                                     0.04045 };

/* FNV-1a over the profile bytes. */
static uint64_t img_icc_hash(const unsigned char *d, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ d[i]) * 1099511628211ULL;
    return h;
}

/* Whether colorant tag sig of a and b agree to within 0.002 (XYZ). */
static int img_icc_same_colorant(cmsHPROFILE a, cmsHPROFILE b, cmsTagSignature sig)
{
    const cmsCIEXYZ *x = cmsReadTag(a, sig), *y = cmsReadTag(b, sig);

    return x && y && fabs(x->X - y->X) < 0.002 && fabs(x->Y - y->Y) < 0.002
           && fabs(x->Z - y->Z) < 0.002;
}

/* Whether tone curve tag sig of a and b agree to within a fifth of a
 * level at 17 points. */
static int img_icc_same_curve(cmsHPROFILE a, cmsHPROFILE b, cmsTagSignature sig)
{
    const cmsToneCurve *x = cmsReadTag(a, sig), *y = cmsReadTag(b, sig);
    int i;

    if (x == NULL || y == NULL)
        return 0;
    for (i = 0; i <= 16; i++)
        if (fabs(cmsEvalToneCurveFloat(x, i / 16.0f) - cmsEvalToneCurveFloat(y, i / 16.0f))
            > 0.2 / 255)
            return 0;
    return 1;
}

/* Whether RGB profile h describes sRGB: a matrix/shaper with sRGB's
 * colorants and tone curves (then no transform is needed). */
static int img_icc_is_srgb(cmsHPROFILE h, cmsHPROFILE srgb)
{
    return cmsIsMatrixShaper(h) && img_icc_same_colorant(h, srgb, cmsSigRedColorantTag)
           && img_icc_same_colorant(h, srgb, cmsSigGreenColorantTag)
           && img_icc_same_colorant(h, srgb, cmsSigBlueColorantTag)
           && img_icc_same_curve(h, srgb, cmsSigRedTRCTag)
           && img_icc_same_curve(h, srgb, cmsSigGreenTRCTag)
           && img_icc_same_curve(h, srgb, cmsSigBlueTRCTag);
}

/* The lcms output profile for an image of `channels` channels: sRGB, or
 * a gray profile with the sRGB tone curve. NULL when out of memory. */
static cmsHPROFILE img_icc_output(int channels)
{
    cmsToneCurve *c;
    cmsHPROFILE h;

    if (channels != 1)
        return cmsCreate_sRGBProfile();
    c = cmsBuildParametricToneCurve(NULL, 4, img_srgb_params);
    if (c == NULL)
        return NULL;
    h = cmsCreateGrayProfile(cmsD50_xyY(), c);
    cmsFreeToneCurve(c);
    return h;
}

/* The lcms pixel format of a layout (channels, or IMG_ICC_CMYK*). */
static cmsUInt32Number img_icc_format(int layout)
{
    switch (layout) {
    case 1: return TYPE_GRAY_8;
    case 3: return TYPE_RGB_8;
    case 4: return TYPE_RGBA_8;
    case IMG_ICC_CMYK_INVERTED: return TYPE_CMYK_8_REV;
    default: return TYPE_CMYK_8;
    }
}

/* Records why a profile is ignored in warn; returns 1. */
static int img_icc_refuse(img_err_t *warn, const char *why)
{
    img_fail(warn, IMG_ERR_UNSUPPORTED, "ICC profile ignored (pixels taken as sRGB): %s", why);
    return 1;
}

/* Makes the transform for profile bytes p and pixel layout `layout`
 * (1, 3, 4 or IMG_ICC_CMYK*) into e (xform NULL when p is sRGB). Returns
 * 0, or 1 with warn set when lcms refuses the profile or it does not fit
 * the layout. */
static int img_icc_build(const img_profile_t *p, int layout, img_icc_entry_t *e, img_err_t *warn)
{
    cmsHPROFILE in = cmsOpenProfileFromMem(p->buf.data, (cmsUInt32Number) p->len), out;
    cmsColorSpaceSignature want = layout == 1                       ? cmsSigGrayData
                                  : layout >= IMG_ICC_CMYK_INVERTED ? cmsSigCmykData
                                                                    : cmsSigRgbData;
    int out_channels = layout == 1 ? 1 : layout == 4 ? 4 : 3;
    int rc = 0;

    e->xform = NULL;
    if (in == NULL)
        return img_icc_refuse(warn, "lcms cannot parse it");
    if (cmsGetColorSpace(in) != want) {
        cmsCloseProfile(in);
        return img_icc_refuse(warn, "its colour space does not fit the image's");
    }
    out = img_icc_output(out_channels);
    if (out == NULL) {
        cmsCloseProfile(in);
        return img_icc_refuse(warn, "out of memory for the sRGB profile");
    }
    if (want != cmsSigRgbData || !img_icc_is_srgb(in, out)) {
        e->xform = cmsCreateTransform(in, img_icc_format(layout), out, img_icc_format(out_channels),
                                      INTENT_PERCEPTUAL, layout == 4 ? cmsFLAGS_COPY_ALPHA : 0);
        if (e->xform == NULL)
            rc = img_icc_refuse(warn, "lcms makes no transform from it");
    }
    cmsCloseProfile(in);
    cmsCloseProfile(out);
    return rc;
}

/* See img_icc.h. */
int img_icc_lookup(img_icc_cache_t *c, const img_profile_t *p, int layout, void **xform,
                   img_err_t *warn)
{
    uint64_t h;
    int i, pick = 0;
    img_icc_entry_t *e;

    *xform = NULL;
    if (p == NULL || p->len == 0)
        return 0;
    h = img_icc_hash(p->buf.data, p->len);
    c->clock++;
    for (i = 0; i < IMG_ICC_CACHE; i++) {
        e = &c->e[i];
        if (e->used && e->hash == h && e->layout == layout) {
            e->used = c->clock;
            *xform = e->xform;
            return 0;
        }
        if (e->used < c->e[pick].used)
            pick = i;
    }
    e = &c->e[pick];
    if (e->xform)
        cmsDeleteTransform(e->xform);
    e->used = 0;
    if (img_icc_build(p, layout, e, warn) != 0)
        return 1;
    e->hash = h;
    e->layout = layout;
    e->used = c->clock;
    *xform = e->xform;
    return 0;
}

/* See img_icc.h. */
void img_icc_row(void *xform, unsigned char *row, int width)
{
    cmsDoTransform(xform, row, row, (cmsUInt32Number) width);
}

/* See img_icc.h. */
int img_icc_to_srgb(img_icc_cache_t *c, const img_profile_t *p, img_image_t *img, img_err_t *warn)
{
    void *xf;
    int y;

    if (img_icc_lookup(c, p, img->channels, &xf, warn) != 0)
        return 1;
    for (y = 0; xf && y < img->height; y++)
        img_icc_row(xf, img_row(img, y), img->width);
    return 0;
}

/* See img_icc.h. */
int img_profile_set(img_profile_t *p, const void *data, size_t len, img_err_t *err)
{
    p->len = 0;
    if (len == 0 || len > IMG_ICC_MAX_SIZE)
        return 0;
    if (img_buf_reserve(&p->buf, len, err) != 0)
        return -1;
    memcpy(p->buf.data, data, len);
    p->len = len;
    return 0;
}

/* Writes profile h into p and closes h (NULL: lcms could not make it).
 * Returns 0, or -1 with err set. */
static int img_icc_save(cmsHPROFILE h, img_profile_t *p, img_err_t *err)
{
    cmsUInt32Number n = 0;
    int rc = -1;

    p->len = 0;
    if (h == NULL)
        return img_fail(err, IMG_ERR_CORRUPT, "lcms cannot make the profile");
    if (!cmsSaveProfileToMem(h, NULL, &n) || n == 0)
        img_fail(err, IMG_ERR_CORRUPT, "lcms cannot write the profile");
    else if (img_buf_reserve(&p->buf, n, err) == 0 && cmsSaveProfileToMem(h, p->buf.data, &n)) {
        p->len = n;
        rc = 0;
    }
    cmsCloseProfile(h);
    return rc;
}

/* See img_icc.h. */
int img_icc_from_primaries(const img_icc_primaries_t *prim, img_profile_t *p, img_err_t *err)
{
    cmsCIExyY white = { prim->white[0], prim->white[1], 1.0 };
    cmsCIExyYTRIPLE rgb = { { prim->r[0], prim->r[1], 1.0 },
                            { prim->g[0], prim->g[1], 1.0 },
                            { prim->b[0], prim->b[1], 1.0 } };
    cmsToneCurve *curve = prim->gamma > 0 ? cmsBuildGamma(NULL, prim->gamma)
                                          : cmsBuildParametricToneCurve(NULL, 4, img_srgb_params);
    cmsToneCurve *trc[3] = { curve, curve, curve };
    int rc = img_icc_save(curve ? cmsCreateRGBProfile(&white, &rgb, trc) : NULL, p, err);

    if (curve)
        cmsFreeToneCurve(curve);
    return rc;
}

/* See img_icc.h. */
int img_icc_srgb(int channels, img_profile_t *p, img_err_t *err)
{
    return img_icc_save(img_icc_output(channels), p, err);
}

/* See img_icc.h. */
void img_icc_cache_free(img_icc_cache_t *c)
{
    int i;

    for (i = 0; i < IMG_ICC_CACHE; i++)
        if (c->e[i].xform)
            cmsDeleteTransform(c->e[i].xform);
    memset(c, 0, sizeof(*c));
}
