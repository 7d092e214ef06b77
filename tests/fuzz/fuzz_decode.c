/*
 * libFuzzer target for the imaging library's decoders: img_load_probe,
 * then img_load_decode (first frame, with a target size so the HEIF
 * thumbnail and JPEG DCT scaling paths run) and img_load_frames, with
 * small limits so a claimed size cannot exhaust memory. The contract
 * checked: a refusal carries a reason; a success gives a non-empty image
 * no larger than the limit. Aborts on a breach; always returns 0.
 */
#include <stdint.h>
#include <stdlib.h>

#include "img_load.h"

#define FUZZ_MAX_PIXELS (4096 * 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static img_loader_t l;
    img_load_opts_t o = { 64, 64, 0, FUZZ_MAX_PIXELS, 50 };
    ii_info_t info;
    img_image_t im;
    img_err_t e;

    if (img_load_probe(data, size, FUZZ_MAX_PIXELS, &info, &e) != 0) {
        if (e.msg[0] == '\0')
            abort();
        return 0;
    }
    if (img_load_decode(&l, data, size, &info, &o, &im, &e) == 0) {
        if (im.width <= 0 || im.height <= 0
            || (uint64_t) im.width * (uint64_t) im.height > FUZZ_MAX_PIXELS)
            abort();
    } else if (e.msg[0] == '\0') {
        abort();
    }
    if (img_load_frames(&l, data, size, &info, &o, &e) != 0 && e.msg[0] == '\0')
        abort();
    img_loader_trim(&l, 0);
    return 0;
}
