/*
 * Resize geometry: "fit" (inside a bounding box, aspect kept) and "fill"
 * (cover the box, then crop the centre), and its mapping onto an image
 * decoded at a reduced scale (shrink-on-load).
 *
 * Callers compute on the image as stored: for an EXIF orientation that
 * swaps the axes (5..8) they swap the box's sides instead, which gives
 * the same result turned (centred crops do not depend on flips).
 */
#ifndef IMG_GEOMETRY_H
#define IMG_GEOMETRY_H

#include "img_resample.h"

#pragma GCC visibility push(hidden)

typedef enum {
    IMG_FIT = 0, /* the whole image inside the box */
    IMG_FILL     /* the box covered, the overflow cropped evenly */
} img_fit_t;

typedef struct {
    int width, height; /* the output */
    img_rect_t region; /* the source part it shows, in source pixels */
} img_geom_t;

/* The output for a w x h source and a box_w x box_h box in `mode`. Without
 * `enlarge` no side grows: fit keeps a source that already fits, fill
 * crops a too-small source to at most the box. Sides are at least 1. */
void img_geom_compute(int w, int h, int box_w, int box_h, img_fit_t mode, int enlarge,
                      img_geom_t *g);

/* The smallest decoded size of a src_w x src_h image from which g's
 * region still has at least g's output pixels on each axis. */
void img_geom_min_decode(const img_geom_t *g, int src_w, int src_h, int *min_w, int *min_h);

/* g's region, given on a src_w x src_h image, on the same image decoded
 * at dec_w x dec_h (shrink-on-load), kept inside it. */
img_rect_t img_geom_scale_region(const img_geom_t *g, int src_w, int src_h, int dec_w, int dec_h);

#pragma GCC visibility pop

#endif /* IMG_GEOMETRY_H */
